app_name = "matching"

urlpatterns: list = []  # type: ignore[type-arg]
