-- Version 4: the report version a session was recorded from (the report's `schema_version`),
-- so that its numbers can be read as that version meant them (before report 1.4 a rep's
-- `top_s` was when it counted on the way up, from 1.4 on it is when it was nearest its peak).
-- Sessions recorded before this column existed have NULL: report 1.4 or earlier, unknown.
ALTER TABLE sessions ADD COLUMN report_version TEXT;
