"""Device work: inventory types, the driver protocol, config rendering and its safety checks."""
