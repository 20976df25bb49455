-- Target labels of a stress-check campaign: when a campaign has any, only
-- the people carrying one of them take it; without, everyone does.
CREATE TABLE sc_campaign_labels (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    campaign_id INTEGER NOT NULL REFERENCES sc_campaigns(id) ON DELETE CASCADE,
    label_id    INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    PRIMARY KEY (campaign_id, label_id)
);
