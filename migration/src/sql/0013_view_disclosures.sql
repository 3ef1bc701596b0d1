-- AUD-2: a client's name and date of birth are disclosed by a list or a search as much as by
-- the profile; the view log says where each disclosure happened. Earlier rows were profiles.
ALTER TABLE client_views ADD COLUMN shown_in text NOT NULL DEFAULT 'PROFILE';
