"""Integration tests: every client method against a server (embedded or AEROSPIKE_HOSTS)."""
