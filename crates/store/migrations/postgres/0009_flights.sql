-- Flights for the planner (as migrations/sqlite/0009_flights.sql): aircraft types, flights,
-- carriage agreements, acceptance rules and the plan runs with their assignments. Text keys
-- compare byte-wise (COLLATE "C"), as on SQLite, so listings come in the same order.

CREATE TABLE aircraft_types (
    name                   TEXT COLLATE "C" PRIMARY KEY,
    -- Evacuees with a seat each, and seated on the floor (lap infants under 2 take neither).
    seated_capacity        BIGINT NOT NULL CHECK (seated_capacity >= 0),
    floor_loaded_capacity  BIGINT NOT NULL CHECK (floor_loaded_capacity >= 0),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

-- A flight's id is the operator's ("US0755"). Times are RFC 3339 UTC. `carries`: nations whose
-- people this flight carries of every category, comma-separated (besides its own nation's and
-- those the carriage agreements allow).
CREATE TABLE flights (
    id             TEXT COLLATE "C" PRIMARY KEY,
    nation         TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    aircraft       TEXT COLLATE "C" NOT NULL REFERENCES aircraft_types(name),
    configuration  TEXT COLLATE "C" NOT NULL CHECK (configuration IN ('seated', 'floor_loaded')),
    departs_at     TEXT COLLATE "C" NOT NULL,
    destination    TEXT COLLATE "C" NOT NULL,
    status         TEXT COLLATE "C" NOT NULL CHECK (status IN ('scheduled', 'delayed', 'cancelled', 'departed')),
    carries        TEXT NOT NULL DEFAULT '',
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX flights_by_departure ON flights (departs_at);

-- `carrier`'s flights may carry `passengers`' people of these categories (comma-separated:
-- national, local_staff, at_risk). A nation carries its own people without an agreement.
CREATE TABLE carriage_agreements (
    carrier     TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    passengers  TEXT COLLATE "C" NOT NULL REFERENCES nations(code),
    categories  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (carrier, passengers)
);

-- Who may land at a destination: a JSON array of alternatives, each {nations, categories} (an
-- empty list is "any"); a destination without a row accepts everyone.
CREATE TABLE acceptance_rules (
    destination  TEXT COLLATE "C" PRIMARY KEY,
    rules        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Each run of the planner over the stored ready pool and flights, with its figures. The plan in
-- force is the newest run's assignments; earlier runs' rows are kept (nothing is deleted).
CREATE TABLE plan_runs (
    id               BIGINT PRIMARY KEY,
    solver           TEXT NOT NULL,
    objective        DOUBLE PRECISION NOT NULL,
    upper_bound      DOUBLE PRECISION NOT NULL,
    gap              DOUBLE PRECISION NOT NULL,
    cases_ready      BIGINT NOT NULL,
    cases_assigned   BIGINT NOT NULL,
    people_assigned  BIGINT NOT NULL,
    kept             BIGINT NOT NULL,
    moved            BIGINT NOT NULL,
    dropped          BIGINT NOT NULL,
    -- The bound's seat price per flight (JSON), where a re-plan starts its bound from.
    seat_prices      TEXT NOT NULL,
    actor            TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

-- A case on a flight in a plan run. `told_at`: when the case was told its flight (carried over
-- while a re-plan keeps it there, so people told stay put unless their flight cannot take them).
CREATE TABLE plan_assignments (
    plan_run   BIGINT NOT NULL REFERENCES plan_runs(id),
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    flight_id  TEXT COLLATE "C" NOT NULL REFERENCES flights(id),
    told_at    TEXT,
    PRIMARY KEY (plan_run, case_id)
);
CREATE INDEX plan_assignments_by_flight ON plan_assignments (plan_run, flight_id);

-- Each nation's priority weights for planning: a JSON object of weight per category and per
-- vulnerability (the planner's names); a nation without a row plans with the defaults.
CREATE TABLE priority_weights (
    nation      TEXT COLLATE "C" PRIMARY KEY REFERENCES nations(code),
    weights     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
