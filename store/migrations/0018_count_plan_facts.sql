-- What the plan knew of a location when it planned its count (its touches,
-- units put away there and next door, days since its last count, error
-- history, exceptions, neighbour differences), as JSON: once the count is
-- submitted, whether it found the record wrong tells the planner which
-- kind of exposure goes wrong on this floor (cyclecount.Learner). Empty for
-- a count the plan did not make (added, opened at the shelf, a recount).
ALTER TABLE counts ADD COLUMN plan_facts TEXT NOT NULL DEFAULT '';
