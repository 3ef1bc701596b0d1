-- Every process reads the offset; only platform administration (`advanceClock`) moves it.
GRANT SELECT ON manual_clock TO concord_app;
GRANT SELECT, UPDATE (offset_seconds) ON manual_clock TO concord_platform;
