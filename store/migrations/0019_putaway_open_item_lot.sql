-- The lots of an item's open putaway tasks, first and last in two index
-- seeks however many tasks wait: a scan of a lot-tracked item's barcode
-- without its lot is refused when units of more than one lot wait, and the
-- check must cost the same at a dock of 100,000 tasks.
CREATE INDEX putaway_tasks_open_item_lot ON putaway_tasks (item_id, lot) WHERE state = 'open';
