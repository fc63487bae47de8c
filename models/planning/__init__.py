"""Planning: ABK staffing, training plans, candidate pools, the round MILP and its reasons."""
