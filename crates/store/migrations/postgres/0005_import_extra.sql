-- The cells of an imported row that no field took (as migrations/sqlite/0005_import_extra.sql).
ALTER TABLE import_rows ADD COLUMN extra TEXT NOT NULL DEFAULT '[]';
