// dicom_sr.cpp — one analysis as a Comprehensive SR following TID 1500 (see dicom_results.h). Templates and codes
// from PS3.16: TID 1500 Measurement Report, TID 1204 Language, TID 1001/1002/1004 Observation Context with a
// device observer, TID 1600 Image Library, TID 1501 Measurement and Qualitative Evaluation Group, TID 300
// Measurement, TID 4019 Algorithm Identification.
#include "core/base/build_info.h"
#include "core/report/dicom_results_internal.h"
#include "core/report/report_internal.h"

namespace dx {

using namespace dcm;

namespace {

const Code kUnitless{"1", "UCUM", "no units"};
const Code kSquareMillimetre{"mm2", "UCUM", "square millimeter"};
const Code kPresent{"52101004", "SCT", "Present"};
const Code kAbsent{"2667000", "SCT", "Absent"};
const Code kYes{"373066001", "SCT", "Yes"};
const Code kNo{"373067005", "SCT", "No"};

// DxLens does not have a device identity of its own beyond its software; one fixed Device Observer UID lets a
// receiving system group everything DxLens wrote.
const char* const kDxLensDeviceObserverUid = "2.25.280214436913584702911407745567185370953";

DicomItem contentItem(const char* relationship, const char* valueType, const Code& conceptName) {
    DicomItem item;
    if (relationship) item.setText(RelationshipType, dicomVR("CS"), relationship);
    item.setText(ValueType, dicomVR("CS"), valueType);
    item.addItem(ConceptNameCodeSequence, codeItem(conceptName));
    return item;
}

DicomItem container(const char* relationship, const Code& conceptName) {
    DicomItem item = contentItem(relationship, "CONTAINER", conceptName);
    item.setText(ContinuityOfContent, dicomVR("CS"), "SEPARATE");
    return item;
}

DicomItem textItem(const char* relationship, const Code& conceptName, const std::string& text) {
    DicomItem item = contentItem(relationship, "TEXT", conceptName);
    item.setText(TextValue, dicomVR("UT"), text);
    return item;
}

DicomItem codeValueItem(const char* relationship, const Code& conceptName, const Code& value) {
    DicomItem item = contentItem(relationship, "CODE", conceptName);
    item.addItem(ConceptCodeSequence, codeItem(value));
    return item;
}

DicomItem uidItem(const char* relationship, const Code& conceptName, const std::string& uid) {
    DicomItem item = contentItem(relationship, "UIDREF", conceptName);
    item.setText(UID, dicomVR("UI"), uid);
    return item;
}

// NumericValue is a DS (16 characters): the JSON's shortest float32 text when it fits, so the SR reads the
// same digits as the JSON result; FloatingPointValue carries the value exactly either way.
DicomItem numItem(const char* relationship, const Code& conceptName, double value, const std::string& text,
                  const Code& unit) {
    DicomItem item = contentItem(relationship, "NUM", conceptName);
    DicomItem measured;
    measured.addItem(MeasurementUnitsCodeSequence, codeItem(unit));
    measured.setText(NumericValue, dicomVR("DS"),
                     !text.empty() && text.size() <= 16 ? text : dicomDecimalString(value));
    measured.setFD(FloatingPointValue, value);
    item.addItem(MeasuredValueSequence, std::move(measured));
    return item;
}

DicomItem templateItem(const char* id) {
    DicomItem t;
    t.setText(MappingResource, dicomVR("CS"), "DCMR");
    t.setText(TemplateIdentifier, dicomVR("CS"), id);
    return t;
}

// TID 4019 under a measurement group: the model's name, version and, as its parameters, the file's SHA-256.
void addAlgorithm(DicomItem& group, const ModelManifest& m) {
    group.addItem(ContentSequence, textItem("HAS CONCEPT MOD", {"111001", "DCM", "Algorithm Name"},
                                            m.name.empty() ? m.id : m.name));
    group.addItem(ContentSequence, textItem("HAS CONCEPT MOD", {"111003", "DCM", "Algorithm Version"},
                                            m.version.empty() ? "unversioned" : m.version));
    if (!m.sha256.empty())
        group.addItem(ContentSequence, textItem("HAS CONCEPT MOD", {"111002", "DCM", "Algorithm Parameters"},
                                                "model file sha256 " + m.sha256));
}

// A TID 1501 group for one finding: tracking identifier and UID, the finding, the algorithm, then the values.
DicomItem measurementGroup(const ModelManifest& m, const std::string& tracking, const Code& finding) {
    DicomItem group = container("CONTAINS", {"125007", "DCM", "Measurement Group"});
    group.addItem(ContentTemplateSequence, templateItem("1501"));
    group.addItem(ContentSequence, textItem("HAS OBS CONTEXT", {"112039", "DCM", "Tracking Identifier"},
                                            (m.id + " " + tracking).substr(0, 64)));
    group.addItem(ContentSequence,
                  uidItem("HAS OBS CONTEXT", {"112040", "DCM", "Tracking Unique Identifier"}, newDicomUid()));
    group.addItem(ContentSequence, codeValueItem("CONTAINS", {"121071", "DCM", "Finding"}, finding));
    addAlgorithm(group, m);
    return group;
}

// Chest radiograph models report a chest X-ray; any other model an imaging procedure.
Code procedureReported(const ReportItem& item) {
    const ModelManifest& m = *item.manifest;
    bool chest = false, radiograph = false;
    for (const std::string& b : m.bodyParts)
        if (b == "chest" || b == "CHEST") chest = true;
    for (const std::string& mod : m.modalities)
        if (mod == "CR" || mod == "DX") radiograph = true;
    if (chest && radiograph) return {"399208008", "SCT", "Plain X-ray of chest"};
    return {"363679005", "SCT", "Imaging"};
}

} // namespace

Result<DicomItem> buildDicomSr(const ReportItem& item, const DicomResultOptions& options) {
    Result<DicomResultContext> context = resultContext(item, options);
    if (!context) return context.error();
    const DicomResultContext& c = *context;
    const AnalysisResult& r = *item.result;
    const ModelManifest& m = *item.manifest;

    DicomItem ds;
    addCommonModules(ds, item, options, c, kComprehensiveSrSopClassUid);

    // SR Document Series.
    ds.setText(Modality, dicomVR("CS"), "SR");
    ds.setText(SeriesNumber, dicomVR("IS"),
               std::to_string(options.seriesNumber ? options.seriesNumber : 901));
    ds.setText(SeriesDescription, dicomVR("LO"), ("DxLens " + m.id + " findings").substr(0, 64));
    ds.setEmptySequence(ReferencedPerformedProcedureStepSequence);

    // SR Document General: not verified by a person, and preliminary, as a research tool's output is.
    ds.setText(CompletionFlag, dicomVR("CS"), "COMPLETE");
    ds.setText(VerificationFlag, dicomVR("CS"), "UNVERIFIED");
    ds.setText(0x0040a496, dicomVR("CS"), "PRELIMINARY"); // Preliminary Flag
    ds.setEmptySequence(PerformedProcedureCodeSequence);
    if (c.sourceIsDicom) {
        DicomItem evidence;
        evidence.setText(StudyInstanceUID, dicomVR("UI"), c.sourceStudyUid);
        evidence.addItem(ReferencedSeriesSequence, referencedSeriesItem(c));
        ds.addItem(CurrentRequestedProcedureEvidenceSequence, std::move(evidence));
    }

    // SR Document Content: the TID 1500 tree.
    ds.setText(ValueType, dicomVR("CS"), "CONTAINER");
    ds.addItem(ConceptNameCodeSequence, codeItem({"126000", "DCM", "Imaging Measurement Report"}));
    ds.setText(ContinuityOfContent, dicomVR("CS"), "SEPARATE");
    ds.addItem(ContentTemplateSequence, templateItem("1500"));

    ds.addItem(ContentSequence,
               codeValueItem("HAS CONCEPT MOD", {"121049", "DCM", "Language of Content Item and Descendants"},
                             {"en-US", "RFC5646", "English (United States)"}));
    const BuildInfo& build = buildInfo();
    ds.addItem(ContentSequence, codeValueItem("HAS OBS CONTEXT", {"121005", "DCM", "Observer Type"},
                                              {"121007", "DCM", "Device"}));
    ds.addItem(ContentSequence, uidItem("HAS OBS CONTEXT", {"121012", "DCM", "Device Observer UID"},
                                        kDxLensDeviceObserverUid));
    ds.addItem(ContentSequence,
               textItem("HAS OBS CONTEXT", {"121013", "DCM", "Device Observer Name"}, "DxLens"));
    ds.addItem(ContentSequence, textItem("HAS OBS CONTEXT", {"121014", "DCM", "Device Observer Manufacturer"},
                                         "DxLens project"));
    ds.addItem(ContentSequence, textItem("HAS OBS CONTEXT", {"121015", "DCM", "Device Observer Model Name"},
                                         std::string("DxLens ") + build.version));
    ds.addItem(ContentSequence,
               textItem("HAS OBS CONTEXT", {"121016", "DCM", "Device Observer Serial Number"}, build.commit));
    ds.addItem(ContentSequence, codeValueItem("HAS CONCEPT MOD", {"121058", "DCM", "Procedure reported"},
                                              procedureReported(item)));

    DicomItem library = container("CONTAINS", {"111028", "DCM", "Image Library"});
    if (c.sourceIsDicom) {
        DicomItem group = container("CONTAINS", {"126200", "DCM", "Image Library Group"});
        DicomItem image;
        image.setText(RelationshipType, dicomVR("CS"), "CONTAINS");
        image.setText(ValueType, dicomVR("CS"), "IMAGE");
        image.addItem(ReferencedSOPSequence, sourceImageReference(c));
        group.addItem(ContentSequence, std::move(image));
        library.addItem(ContentSequence, std::move(group));
    }
    ds.addItem(ContentSequence, std::move(library));

    DicomItem measurements = container("CONTAINS", {"126010", "DCM", "Imaging Measurements"});
    for (const Finding& f : r.findings) {
        DicomItem group = measurementGroup(m, f.label, labelCode(f.label));
        group.addItem(ContentSequence, numItem("CONTAINS", dxlensCode("PROBABILITY", "Probability"), f.score,
                                               floatText(f.score), kUnitless));
        if (f.hasThreshold) {
            group.addItem(ContentSequence, numItem("CONTAINS", dxlensCode("THRESHOLD", "Decision threshold"),
                                                   f.threshold, dicomDecimalString(f.threshold), kUnitless));
            group.addItem(ContentSequence,
                          codeValueItem("CONTAINS",
                                        dxlensCode("DECISION", "Decision at the model's threshold"),
                                        f.positive ? kPresent : kAbsent));
        }
        measurements.addItem(ContentSequence, std::move(group));
    }
    if (r.hasMask)
        for (const ClassArea& a : r.mask.areas) {
            if (a.name == "background") continue;
            DicomItem group = measurementGroup(m, a.name, labelCode(a.name));
            group.addItem(ContentSequence,
                          numItem("CONTAINS", dxlensCode("AREAFRACTION", "Fraction of the image area"),
                                  a.fraction, dicomDecimalString(a.fraction), kUnitless));
            if (a.areaMm2 >= 0)
                group.addItem(ContentSequence, numItem("CONTAINS", {"42798000", "SCT", "Area"}, a.areaMm2,
                                                       dicomDecimalString(a.areaMm2), kSquareMillimetre));
            measurements.addItem(ContentSequence, std::move(group));
        }
    if (r.ood.present) {
        DicomItem group = measurementGroup(m, "ood", dxlensCode("OODCHECK", "Out-of-distribution check"));
        group.addItem(ContentSequence,
                      numItem("CONTAINS", dxlensCode("OODSCORE", "Out-of-distribution score"), r.ood.score,
                              floatText(r.ood.score), kUnitless));
        group.addItem(ContentSequence,
                      numItem("CONTAINS", dxlensCode("OODTHRESHOLD", "Out-of-distribution threshold"),
                              r.ood.threshold, dicomDecimalString(r.ood.threshold), kUnitless));
        group.addItem(ContentSequence,
                      codeValueItem("CONTAINS",
                                    dxlensCode("INDISTRIBUTION", "Within the model's training distribution"),
                                    r.ood.inDistribution ? kYes : kNo));
        measurements.addItem(ContentSequence, std::move(group));
    }
    ds.addItem(ContentSequence, std::move(measurements));

    DicomItem qualitative = container("CONTAINS", {"C0034375", "UMLS", "Qualitative Evaluations"});
    qualitative.addItem(
        ContentSequence,
        textItem("CONTAINS", dxlensCode("POPULATION", "Intended population verdict"),
                 std::string(populationStatusName(r.population.status)) +
                     (r.population.reason.empty() ? std::string() : ": " + r.population.reason)));
    qualitative.addItem(ContentSequence,
                        textItem("CONTAINS", dxlensCode("INTENDEDUSE", "Intended use"), intendedUseText(m)));
    qualitative.addItem(ContentSequence, textItem("CONTAINS", dxlensCode("NOTICE", "Research use notice"),
                                                  kResearchUseNotice));
    ds.addItem(ContentSequence, std::move(qualitative));
    return ds;
}

Result<Bytes> writeDicomSr(const ReportItem& item, const DicomResultOptions& options) {
    Result<DicomItem> ds = buildDicomSr(item, options);
    if (!ds) return ds.error();
    return writeDicomFile(*ds, options.write);
}

} // namespace dx
