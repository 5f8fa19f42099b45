// app.cpp — composes the views into one frame. Each view lives in its own file (menu_bar_view.cpp,
// viewport_view.cpp, status_bar_view.cpp, about_view.cpp) and reads AppState; nothing here knows the platform.
#include "app/app_state.h"
#include "app/views.h"

#include <imgui.h>

namespace dx {

void drawApp(AppState& state) {
    handleGlobalShortcuts(state);
    drawMenuBar(state);
    drawStatusBar(state);
    drawViewport(state);
    drawAboutWindow(state);
    drawShortcutsWindow(state);
    if (state.views.showMetrics) ImGui::ShowMetricsWindow(&state.views.showMetrics);
}

} // namespace dx
