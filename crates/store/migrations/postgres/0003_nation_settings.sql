-- Per-nation settings (as migrations/sqlite/0003_nation_settings.sql).
ALTER TABLE nations ADD COLUMN export_confirm_above BIGINT NOT NULL DEFAULT 500;
