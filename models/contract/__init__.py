"""The data contract: enums and column names, typed tables, pandera schemas, cross-table checks."""
