"""Point-in-time features: history, competencies, the catalogue, pair features and their words."""
