from execcoord.registry import urls_for_app

app_name = "analysis"
urlpatterns = urls_for_app("analysis")
