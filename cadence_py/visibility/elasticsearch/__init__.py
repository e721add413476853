"""Advanced visibility on Elasticsearch 7: index template, indexer, queries."""
