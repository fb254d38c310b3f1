from execcoord.registry import urls_for_app

app_name = "actions"
urlpatterns = urls_for_app("actions")
