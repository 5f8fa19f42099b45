// status_bar_view.cpp — one line at the bottom: build, UI renderer, inference capabilities, notice.
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/i18n.h"
#include "app/views.h"
#include "core/base/build_info.h"
#include "core/inference/model_library.h"

#include <string>

#include <imgui.h>
#include <imgui_internal.h> // BeginViewportSideBar

namespace dx {

static const ImVec4 kGood(0.45f, 0.85f, 0.45f, 1.0f);
static const ImVec4 kWarn(1.0f, 0.78f, 0.35f, 1.0f);

static void separator() {
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
}

static void drawCapability(const char* label, bool good, const char* detail, const char* tooltip) {
    ImGui::TextColored(good ? kGood : kWarn, tr("%s: %s"), label, detail);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip);
}

// Left to right: build, UI renderer, inference capabilities; the research-use notice is pinned to the right.
// Details live in tooltips so the line fits a laptop screen.
static void drawStatusItems(const PlatformInfo& p) {
    const BuildInfo& build = buildInfo();
    ImGui::Text("DxLens %s (%s)", build.version, build.commit);
    separator();
    ImGui::TextUnformatted(tr("UI: WebGL2"));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("Interface rendered with %s"), p.renderer.c_str());
    separator();
    drawCapability(
        "WebGPU", p.webgpuAvailable && !p.webgpuSoftware,
        !p.webgpuAvailable ? tr("unavailable")
        : p.webgpuSoftware ? tr("software only")
                           : tr("available"),
        (p.webgpu + "\n" +
         tr("WebGPU runs models on the GPU; without a hardware adapter DxLens uses WebAssembly on the "
            "CPU (Settings can force either)."))
            .c_str());
    separator();
    drawCapability(
        tr("Cross-origin isolated"), p.crossOriginIsolated, p.crossOriginIsolated ? tr("yes") : tr("no"),
        p.crossOriginIsolated ? tr("WebAssembly inference may use several threads.")
                              : tr("The server does not send COOP/COEP headers, so WebAssembly "
                                   "inference runs on one thread (slower). See README, Deploying."));
    separator();
    ImGui::Text("ONNX Runtime %s", p.ortVersion.empty() ? tr(p.ortStatus.c_str()) : p.ortVersion.c_str());
}

// "Models: cxr-pneumonia on webgpu, breast-fna on wasm" — which backend each model really runs on.
static void drawModelBackends(const AppState& state) {
    if (!state.models) return;
    std::string text, details;
    int loading = 0;
    for (const auto& slot : state.models->slots()) {
        if (slot->state == ModelSlotState::Downloading || slot->state == ModelSlotState::Opening) loading++;
        if (!slot->ready()) continue;
        text += (text.empty() ? "" : tr(", ")) +
                trf("%s on %s", slot->id().c_str(), slot->session.backendName.c_str());
        details += trf("%s: %s, self-test %s", slot->id().c_str(),
                       slot->session.backend->capabilities().description.c_str(),
                       selfTestStatusText(slot->session.selfTest.status)) +
                   "\n";
    }
    if (loading) text += (text.empty() ? "" : tr(", ")) + trf("%d loading", loading);
    separator();
    ImGui::Text(tr("Models: %s"), text.empty() ? tr("none") : text.c_str());
    if (!details.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", details.c_str());
}

void drawStatusBar(const AppState& state) {
    const ImGuiWindowFlags flags =
        ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar;
    const float height = ImGui::GetFrameHeight();
    if (ImGui::BeginViewportSideBar("##StatusBar", ImGui::GetMainViewport(), ImGuiDir_Down, height, flags)) {
        if (ImGui::BeginMenuBar()) {
            drawStatusItems(state.platform);
            drawModelBackends(state);
            const char* notice = tr(kResearchUseNotice);
            const float noticeWidth = ImGui::CalcTextSize(notice).x;
            const float right =
                ImGui::GetWindowWidth() - noticeWidth - ImGui::GetStyle().ItemSpacing.x * 2.0f;
            ImGui::SameLine(ImGui::GetCursorPosX() < right ? right : 0.0f);
            ImGui::TextColored(kWarn, "%s", notice);
            ImGui::EndMenuBar();
        }
    }
    ImGui::End();
}

} // namespace dx
