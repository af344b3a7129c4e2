-- Appointments a provider keeps for the people it supervises.
CREATE TABLE appointments (
    id            text PRIMARY KEY,
    crn           char(7)     NOT NULL,
    case_id       text        NOT NULL,
    provider_code text        NOT NULL,
    type          text        NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    location      text        NOT NULL,
    staff_code    text        NOT NULL,
    outcome       text CHECK (outcome IN ('ATTENDED', 'FAILED_TO_ATTEND', 'RESCHEDULED'))
);
CREATE INDEX appointments_by_crn ON appointments (crn, starts_at, id);
