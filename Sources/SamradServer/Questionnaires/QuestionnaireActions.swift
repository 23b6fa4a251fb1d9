import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnairePages: actions.
extension QuestionnairePages {
    func send(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        do {
            let sent = try await QuestionnaireSending.send(access, request: request)
            request.setNotice(
                sent.withoutRecipient.isEmpty ? "questionnaires.sent" : "questionnaires.sent_without",
                [String(sent.units), String(sent.recipients), sent.withoutRecipient.joined(separator: ", ")])
        } catch let error as SamradError where error.kind == .conflict {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.questionnaire.href)
    }

    func close(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        if try await QuestionnaireLifecycle.close(access, request: request) {
            request.setNotice("questionnaires.closed_now")
        }
        return request.redirect(to: access.questionnaire.href)
    }

    func copy(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let values = try request.content.decode([String: String].self).filter {
            ["title", "opensAt", "closesAt", "prefill"].contains($0.key)
        }
        do {
            let q = try await QuestionnaireLifecycle.nextEdition(
                of: access, title: values["title"], opensAt: values["opensAt"], closesAt: values["closesAt"],
                prefill: values["prefill"] == "on", request: request)
            return request.redirect(to: q.href, notice: "questionnaires.copied")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/show",
                showContext(request, access, copy: FormState(values: values, error: error, request: request)))
        }
    }

    struct PublicationForm: Content { var published: String?; var visibility: String?; var textsPublished: String? }

    func publish(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let form = try request.content.decode(PublicationForm.self)
        let published = form.published == "on"
        do {
            try await QuestionnaireLifecycle.publish(
                access, published: published, visibility: form.visibility, textsPublished: form.textsPublished == "on",
                request: request)
            request.setNotice(published ? "questionnaires.published" : "questionnaires.unpublished")
        } catch let error as SamradError where error.kind == .conflict || error.kind == .invalidInput {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.questionnaire.href)
    }
}
