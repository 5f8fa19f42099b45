#version 300 es
// viewer.frag — window/level, inversion, colour map and overlay blending in one pass.
//
// u_image holds modality values (after Rescale Slope/Intercept: HU for CT) in its red channel when
// u_grey == 1, or display RGBA when u_grey == 0 (colour images, already rendered on the CPU).
// Window: linear as DICOM PS3.3 C.11.2.1.2 (center c, width w), or sigmoid (C.11.2.1.3.1) when u_sigmoid == 1.
// u_lut is a 256x1 colour map (identity grey for "Grey"); u_overlay an RGBA mask/heatmap blended on top
// with u_overlay_opacity scaling its alpha.
precision highp float;
in vec2 v_uv;
uniform sampler2D u_image;
uniform sampler2D u_lut;
uniform sampler2D u_overlay;
uniform int u_grey;
uniform int u_sigmoid;
uniform int u_invert;
uniform int u_has_overlay;
uniform float u_center;
uniform float u_width;
uniform float u_overlay_opacity;
layout (location = 0) out vec4 out_colour;

float windowed(float v) {
    if (u_sigmoid == 1)
        return 1.0 / (1.0 + exp(-4.0 * (v - u_center) / max(u_width, 1e-6)));
    float lo = u_center - 0.5 - (u_width - 1.0) * 0.5;
    return clamp((v - lo) / max(u_width - 1.0, 1e-6), 0.0, 1.0);
}

void main() {
    vec4 colour;
    if (u_grey == 1) {
        float g = windowed(texture(u_image, v_uv).r);
        if (u_invert == 1) g = 1.0 - g;
        colour = vec4(texture(u_lut, vec2((g * 255.0 + 0.5) / 256.0, 0.5)).rgb, 1.0);
    } else {
        colour = texture(u_image, v_uv);
        if (u_invert == 1) colour.rgb = 1.0 - colour.rgb;
    }
    if (u_has_overlay == 1) {
        vec4 o = texture(u_overlay, v_uv);
        float a = o.a * u_overlay_opacity;
        colour.rgb = mix(colour.rgb, o.rgb, a);
    }
    out_colour = vec4(colour.rgb, 1.0);
}
