"""The `mutasi` command line: the top layer, wiring pipelines, serving and the simulator."""
