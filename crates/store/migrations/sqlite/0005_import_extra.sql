-- The cells of an imported row that no field took (extra columns, notes): kept with the row, so
-- that nothing a sender wrote is silently dropped.
ALTER TABLE import_rows ADD COLUMN extra TEXT NOT NULL DEFAULT '[]';
