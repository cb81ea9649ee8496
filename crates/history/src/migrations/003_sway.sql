-- Version 3: balance attempts and their postural sway (body heights; the report's `sway`).
ALTER TABLE holds ADD COLUMN attempt INTEGER;
ALTER TABLE holds ADD COLUMN eyes_closed INTEGER;
ALTER TABLE holds ADD COLUMN sway_axis TEXT;
ALTER TABLE holds ADD COLUMN sway_path REAL;
ALTER TABLE holds ADD COLUMN sway_velocity REAL;
ALTER TABLE holds ADD COLUMN sway_rms REAL;
