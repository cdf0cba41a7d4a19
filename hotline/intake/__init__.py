"""Channel adapters: Open311 GeoReport v2, the resident portal, bulk import, inbound webhooks."""
