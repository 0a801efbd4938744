-- Flights for the planner (issue 7): aircraft types with their evacuee capacities, flights on
-- granted slots, carriage agreements between nations, destinations' acceptance rules, and the
-- plan: which case is on which flight, made by which plan run. Every change to these tables is
-- audited by the store in the same transaction (`flights_sql.rs`), as the registry's are.

CREATE TABLE aircraft_types (
    name                   TEXT PRIMARY KEY,
    -- Evacuees with a seat each, and seated on the floor (lap infants under 2 take neither).
    seated_capacity        INTEGER NOT NULL CHECK (seated_capacity >= 0),
    floor_loaded_capacity  INTEGER NOT NULL CHECK (floor_loaded_capacity >= 0),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
) STRICT;

-- A flight's id is the operator's ("US0755"). Times are RFC 3339 UTC. `carries`: nations whose
-- people this flight carries of every category, comma-separated (besides its own nation's and
-- those the carriage agreements allow).
CREATE TABLE flights (
    id             TEXT PRIMARY KEY,
    nation         TEXT NOT NULL REFERENCES nations(code),
    aircraft       TEXT NOT NULL REFERENCES aircraft_types(name),
    configuration  TEXT NOT NULL CHECK (configuration IN ('seated', 'floor_loaded')),
    departs_at     TEXT NOT NULL,
    destination    TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('scheduled', 'delayed', 'cancelled', 'departed')),
    carries        TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX flights_by_departure ON flights (departs_at);

-- `carrier`'s flights may carry `passengers`' people of these categories (comma-separated:
-- national, local_staff, at_risk). A nation carries its own people without an agreement.
CREATE TABLE carriage_agreements (
    carrier     TEXT NOT NULL REFERENCES nations(code),
    passengers  TEXT NOT NULL REFERENCES nations(code),
    categories  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (carrier, passengers)
) STRICT;

-- Who may land at a destination: a JSON array of alternatives, each {nations, categories} (an
-- empty list is "any"); a destination without a row accepts everyone.
CREATE TABLE acceptance_rules (
    destination  TEXT PRIMARY KEY,
    rules        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

-- Each run of the planner over the stored ready pool and flights, with its figures. The plan in
-- force is the newest run's assignments; earlier runs' rows are kept (nothing is deleted).
CREATE TABLE plan_runs (
    id               INTEGER PRIMARY KEY,
    solver           TEXT NOT NULL,
    objective        REAL NOT NULL,
    upper_bound      REAL NOT NULL,
    gap              REAL NOT NULL,
    cases_ready      INTEGER NOT NULL,
    cases_assigned   INTEGER NOT NULL,
    people_assigned  INTEGER NOT NULL,
    kept             INTEGER NOT NULL,
    moved            INTEGER NOT NULL,
    dropped          INTEGER NOT NULL,
    -- The bound's seat price per flight (JSON), where a re-plan starts its bound from.
    seat_prices      TEXT NOT NULL,
    actor            TEXT NOT NULL,
    created_at       TEXT NOT NULL
) STRICT;

-- A case on a flight in a plan run. `told_at`: when the case was told its flight (carried over
-- while a re-plan keeps it there, so people told stay put unless their flight cannot take them).
CREATE TABLE plan_assignments (
    plan_run   INTEGER NOT NULL REFERENCES plan_runs(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    flight_id  TEXT NOT NULL REFERENCES flights(id),
    told_at    TEXT,
    PRIMARY KEY (plan_run, case_id)
) STRICT;
CREATE INDEX plan_assignments_by_flight ON plan_assignments (plan_run, flight_id);

-- Each nation's priority weights for planning: a JSON object of weight per category and per
-- vulnerability (the planner's names); a nation without a row plans with the defaults.
CREATE TABLE priority_weights (
    nation      TEXT PRIMARY KEY REFERENCES nations(code),
    weights     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
