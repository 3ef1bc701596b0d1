-- A security key's answer to the recent check of a signed-in session (step-up) is kept apart
-- from its answer to a sign-in: each ceremony is stored under its own purpose and only taken
-- for that purpose.
ALTER TABLE webauthn_challenges DROP CONSTRAINT webauthn_challenges_purpose_check;
ALTER TABLE webauthn_challenges ADD CONSTRAINT webauthn_challenges_purpose_check
    CHECK (purpose IN ('REGISTER', 'SIGN_IN', 'STEP_UP'));
