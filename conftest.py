pytest_plugins = ["sinergi.testing.fixtures", "sinergi.testing.referral_fixtures"]
