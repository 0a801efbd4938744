-- Per-nation settings. An export larger than `export_confirm_above` people must be confirmed
-- explicitly: in 2022 a spreadsheet sent to check 150 names carried 18,714 people.
ALTER TABLE nations ADD COLUMN export_confirm_above INTEGER NOT NULL DEFAULT 500;
