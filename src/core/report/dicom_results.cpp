// dicom_results.cpp — see dicom_results.h; the parts the SR and the SEG share (dicom_results_internal.h).
#include "core/report/dicom_results_internal.h"

#include "core/base/build_info.h"

#include <cctype>
#include <cstdio>

namespace dx {

const char* const kComprehensiveSrSopClassUid = "1.2.840.10008.5.1.4.1.1.88.33";
const char* const kSegmentationSopClassUid = "1.2.840.10008.5.1.4.1.1.66.4";
const char* const kDxLensCodingScheme = "99DXLENS";

namespace dcm {

DicomItem codeItem(const Code& code) {
    DicomItem item;
    item.setText(CodeValue, dicomVR("SH"), code.value);
    item.setText(CodingSchemeDesignator, dicomVR("SH"), code.scheme);
    item.setText(CodeMeaning, dicomVR("LO"), code.meaning.substr(0, 64));
    return item;
}

Code dxlensCode(const std::string& value, const std::string& meaning) {
    return {value, kDxLensCodingScheme, meaning};
}

Code labelCode(const std::string& label) {
    std::string lower;
    for (char c : label)
        lower += char(std::tolower(uint8_t(c)));
    struct Known {
        const char* label;
        Code code;
    };
    static const Known known[] = {
        {"pneumonia", {"233604007", "SCT", "Pneumonia"}},
        {"lung", {"39607008", "SCT", "Lung"}},
        {"lungs", {"39607008", "SCT", "Lung"}},
        {"normal", {"17621005", "SCT", "Normal"}},
        {"tuberculosis", {"56717001", "SCT", "Tuberculosis"}},
    };
    for (const Known& k : known)
        if (lower == k.label) return k.code;
    // Code Value is an SH (16 characters): the label in capitals when it fits, else "L" and the label's
    // FNV-1a hash, so that different long labels keep different codes; the meaning carries the label itself.
    std::string value;
    for (char c : label)
        value += std::isalnum(uint8_t(c)) ? char(std::toupper(uint8_t(c))) : '_';
    if (value.empty() || value.size() > 16) {
        uint32_t hash = 2166136261u;
        for (char c : label)
            hash = (hash ^ uint8_t(c)) * 16777619u;
        char text[16];
        std::snprintf(text, sizeof text, "L%08X", unsigned(hash));
        value = text;
    }
    return dxlensCode(value, label);
}

static std::string metadataValue(const ReportItem& item, const char* keyword) {
    auto it = item.metadata.find(keyword);
    return it == item.metadata.end() ? std::string() : it->second;
}

Result<DicomResultContext> resultContext(const ReportItem& item, const DicomResultOptions& options) {
    if (!item.result || !item.manifest) return Error("There is no analysis to write as DICOM.");
    if (item.manifest->task == ModelTask::Tabular)
        return Error("DICOM results describe images; a table row's result has no image to refer to.");
    DicomResultContext c;
    const std::string when = options.generatedAt.empty() ? currentIsoInstant() : options.generatedAt;
    if (!dicomDateTimeFromIso(when, &c.contentDate, &c.contentTime))
        return Error("The time '" + when + "' is not an ISO 8601 instant such as 2026-11-22T10:15:00Z.");
    c.seriesInstanceUid = options.seriesInstanceUid.empty() ? newDicomUid() : options.seriesInstanceUid;
    c.sopInstanceUid = options.sopInstanceUid.empty() ? newDicomUid() : options.sopInstanceUid;
    c.sourceStudyUid = metadataValue(item, "StudyInstanceUID");
    c.sourceSeriesUid = metadataValue(item, "SeriesInstanceUID");
    c.sourceSopClassUid = metadataValue(item, "SOPClassUID");
    c.sourceSopInstanceUid = metadataValue(item, "SOPInstanceUID");
    c.sourceIsDicom = metadataValue(item, "format") == "DICOM" && !c.sourceStudyUid.empty() &&
                      !c.sourceSeriesUid.empty() && !c.sourceSopClassUid.empty() &&
                      !c.sourceSopInstanceUid.empty();
    c.studyInstanceUid = c.sourceIsDicom ? c.sourceStudyUid : newDicomUid();
    return c;
}

void addCommonModules(DicomItem& ds, const ReportItem& item, const DicomResultOptions& options,
                      const DicomResultContext& context, const char* sopClassUid) {
    // Metadata values are UTF-8 (dicom_image.cpp converts other character sets), and so are our own texts.
    ds.setText(SpecificCharacterSet, dicomVR("CS"), "ISO_IR 192");
    ds.setText(SOPClassUID, dicomVR("UI"), sopClassUid);
    ds.setText(SOPInstanceUID, dicomVR("UI"), context.sopInstanceUid);
    ds.setText(InstanceCreationDate, dicomVR("DA"), context.contentDate);
    ds.setText(InstanceCreationTime, dicomVR("TM"), context.contentTime);
    ds.setText(TimezoneOffsetFromUTC, dicomVR("SH"), "+0000");
    DicomItem scheme;
    scheme.setText(CodingSchemeDesignator, dicomVR("SH"), kDxLensCodingScheme);
    scheme.setText(CodingSchemeName, dicomVR("ST"), "DxLens model outputs and checks");
    scheme.setText(CodingSchemeResponsibleOrganization, dicomVR("ST"), "DxLens project");
    ds.addItem(CodingSchemeIdentificationSequence, std::move(scheme));

    // Patient and General Study: copied from a DICOM source; identifying values only when asked for. The
    // study keeps its Instance UID either way (see dicom_results.h).
    auto copied = [&](const char* keyword) -> std::string {
        if (!context.sourceIsDicom) return {};
        if (!options.includeIdentifiers && isIdentifyingAttribute(keyword)) return {};
        return metadataValue(item, keyword);
    };
    ds.setText(PatientName, dicomVR("PN"), copied("PatientName"));
    ds.setText(PatientID, dicomVR("LO"), copied("PatientID"));
    ds.setText(PatientBirthDate, dicomVR("DA"), copied("PatientBirthDate"));
    ds.setText(PatientSex, dicomVR("CS"), copied("PatientSex"));
    if (const std::string age = copied("PatientAge"); !age.empty())
        ds.setText(PatientAge, dicomVR("AS"), age);
    ds.setText(StudyInstanceUID, dicomVR("UI"), context.studyInstanceUid);
    ds.setText(StudyDate, dicomVR("DA"), copied("StudyDate"));
    ds.setText(StudyTime, dicomVR("TM"), copied("StudyTime"));
    ds.setText(ReferringPhysicianName, dicomVR("PN"), copied("ReferringPhysicianName"));
    ds.setText(StudyID, dicomVR("SH"), copied("StudyID"));
    ds.setText(AccessionNumber, dicomVR("SH"), copied("AccessionNumber"));
    if (const std::string d = copied("StudyDescription"); !d.empty())
        ds.setText(StudyDescription, dicomVR("LO"), d);

    // General Equipment and Enhanced General Equipment: DxLens is the device that made this object; the
    // build's commit stands in for a serial number, the model for the rest of the software.
    const BuildInfo& build = buildInfo();
    ds.setText(Manufacturer, dicomVR("LO"), "DxLens");
    ds.setText(ManufacturerModelName, dicomVR("LO"), "DxLens");
    ds.setText(DeviceSerialNumber, dicomVR("LO"), build.commit);
    const ModelManifest& m = *item.manifest;
    ds.setText(SoftwareVersions, dicomVR("LO"),
               std::string("DxLens ") + build.version + "\\" + (m.id + " " + m.version).substr(0, 64));
    ds.setText(SeriesDate, dicomVR("DA"), context.contentDate);
    ds.setText(SeriesTime, dicomVR("TM"), context.contentTime);
    ds.setText(ContentDate, dicomVR("DA"), context.contentDate);
    ds.setText(ContentTime, dicomVR("TM"), context.contentTime);
    ds.setText(SeriesInstanceUID, dicomVR("UI"), context.seriesInstanceUid);
    ds.setText(InstanceNumber, dicomVR("IS"), "1");
}

DicomItem sourceImageReference(const DicomResultContext& context) {
    DicomItem ref;
    ref.setText(ReferencedSOPClassUID, dicomVR("UI"), context.sourceSopClassUid);
    ref.setText(ReferencedSOPInstanceUID, dicomVR("UI"), context.sourceSopInstanceUid);
    return ref;
}

DicomItem referencedSeriesItem(const DicomResultContext& context) {
    DicomItem series;
    series.setText(SeriesInstanceUID, dicomVR("UI"), context.sourceSeriesUid);
    series.addItem(ReferencedSOPSequence, sourceImageReference(context));
    return series;
}

} // namespace dcm

bool hasDicomSegmentation(const ReportItem& item) {
    if (!item.result || !item.manifest || !item.result->hasMask) return false;
    const SegmentationMask& mask = item.result->mask;
    if (mask.width <= 0 || mask.height <= 0) return false;
    for (const ClassArea& area : mask.areas)
        if (area.name != "background") return true;
    return false;
}

} // namespace dx
