pytest_plugins = ["sinergi.testing.fixtures"]
