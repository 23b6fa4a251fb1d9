import Fluent
import Foundation
import SamradCore
import Vapor

/// PeopleImport: the page.
extension PeopleImport {
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var countries: [Option]; var outcome: [String]
        var maxSize: String
    }

    func context(_ request: Request, form: FormState, outcome: Outcome? = nil) -> Context {
        let chosen = form.values["country"] ?? "dk"
        let countries = Country.allCases.map {
            Option(value: $0.rawValue, label: request.t("country.\($0.rawValue)"), selected: $0.rawValue == chosen)
        }
        let lines =
            outcome.map { o in
                [
                    request.t("people_import.created", count: o.created),
                    request.t("people_import.updated", count: o.updated),
                    request.t("people_import.unchanged", count: o.unchanged),
                ]
            } ?? []
        return Context(
            page: PageContext(request, titleKey: "people_import.title"), form: form, countries: countries,
            outcome: lines, maxSize: "2")
    }

    func page(_ request: Request) async throws -> View {
        try request.require(PeoplePolicy.mayCreateAny(request.actor))
        return try await request.view.render("people/import", context(request, form: FormState()))
    }

    func importFromForm(_ request: Request) async throws -> Response {
        struct Upload: Content { var file: File?; var country: String? }
        let upload = try request.content.decode(Upload.self)
        let values = ["country": upload.country ?? "dk"]
        do {
            guard let file = upload.file, file.data.readableBytes > 0 else {
                throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
            }
            let country = upload.country.flatMap(Country.init(rawValue:)) ?? .dk
            let outcome = try await Self.run(
                SpreadsheetUpload.text(Data(file.data.readableBytesView)), country: country,
                request: request)
            return try await request.view.render(
                "people/import",
                context(
                    request, form: FormState(values: values),
                    outcome: outcome)
            )
            .encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "people/import",
                context(
                    request,
                    form: FormState(
                        values: values, error: error,
                        request: request)))
        }
    }
}
