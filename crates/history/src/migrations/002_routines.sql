-- Version 2: guided routines (each step's target and result, proposals) and the targets
-- of every set, for progression over weeks.
ALTER TABLE sessions ADD COLUMN routine TEXT;
CREATE TABLE targets (
    set_id      INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    measure     TEXT    NOT NULL,          -- reps | hold_s
    side        TEXT,
    target      REAL    NOT NULL,
    done        REAL    NOT NULL,
    met         INTEGER NOT NULL
);
CREATE TABLE routine_steps (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    step        TEXT    NOT NULL,
    exercise    TEXT    NOT NULL,
    side        TEXT,
    round       INTEGER NOT NULL,
    variant     TEXT,
    measure     TEXT    NOT NULL,
    target      REAL    NOT NULL,
    done        REAL    NOT NULL,
    met         INTEGER NOT NULL,
    attempts    INTEGER NOT NULL,
    ended_by    TEXT    NOT NULL
);
CREATE INDEX routine_steps_by_step ON routine_steps(step, session_id);
