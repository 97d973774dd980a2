app_name = "assistance"

urlpatterns: list = []  # type: ignore[type-arg]
