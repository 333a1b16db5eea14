-- Allocations by location: a lead's change of a location's master data
-- (type, zone, capacity) checks what is promised out of it before it may
-- change what its units mean.
CREATE INDEX allocations_location ON allocations (location_id);
