"""Employee consultation: rounds, answers (notes encrypted at rest), preferences for the plan."""
