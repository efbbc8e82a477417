-- Alerts from Alertmanager (POST /alerts) are notifications too: for the lab's operators, about no
-- order. They reach the same table, the same LISTEN/NOTIFY channel and so the same live feed.
ALTER TABLE notifications ALTER COLUMN order_id DROP NOT NULL;
ALTER TABLE notifications DROP CONSTRAINT notifications_channel_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check CHECK (channel IN ('email', 'ops'));
