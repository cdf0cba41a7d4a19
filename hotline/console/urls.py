from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/assess/", views.intake_assess, name="intake-assess"),
    path("intake/history/", views.caller_history, name="caller-history"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/reveal/", views.reveal_caller, name="reveal"),
    path("orders/<str:number>/urge/", views.urge, name="urge"),
    path("orders/<str:number>/do/<str:action>/", views.order_action, name="action"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/rows/", views.inbox_rows, name="inbox-rows"),
    path("board/", views.board, name="board"),
    path("board/panels/", views.board_panels, name="board-panels"),
    path("board/mode/", views.board_mode, name="board-mode"),
]
