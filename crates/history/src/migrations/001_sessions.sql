-- Version 1: sessions and what was measured in them (numbers only, never frames).
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,          -- Unix seconds (UTC)
    kind        TEXT    NOT NULL,          -- analyze | live | routine
    source      TEXT    NOT NULL,
    duration_s  REAL    NOT NULL,
    ended       TEXT    NOT NULL
);
CREATE TABLE sets (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    exercise    TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    counting    TEXT    NOT NULL,
    start_s     REAL    NOT NULL,
    end_s       REAL    NOT NULL,
    reps        INTEGER NOT NULL,
    reps_left   INTEGER,
    reps_right  INTEGER,
    hold_s      REAL    NOT NULL
);
CREATE TABLE reps (
    set_id      INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    side        TEXT,
    start_s     REAL    NOT NULL,
    top_s       REAL    NOT NULL,
    end_s       REAL    NOT NULL,
    hold_s      REAL    NOT NULL
);
CREATE TABLE holds (
    set_id      INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    side        TEXT,
    start_s     REAL    NOT NULL,
    end_s       REAL    NOT NULL,
    duration_s  REAL    NOT NULL,
    ended_by    TEXT    NOT NULL
);
CREATE TABLE faults (
    set_id      INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    code        TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    start_s     REAL    NOT NULL,
    end_s       REAL    NOT NULL,
    rep         INTEGER,
    side        TEXT
);
CREATE INDEX sets_by_session ON sets(session_id);
CREATE INDEX sessions_by_time ON sessions(started_at);
