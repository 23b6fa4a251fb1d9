import SamradCore
import Vapor

extension Request {
    /// A message for the next page this person sees, with its arguments (a count, a name).
    func setNotice(_ key: String, _ arguments: [String] = []) {
        session.data["notice"] = key
        session.data["notice_args"] = arguments.isEmpty ? nil : arguments.joined(separator: "\u{1F}")
    }

    /// Why an action was refused, for the page the person is sent back to: its first field's message or its own.
    func setNotice(refusal error: SamradError) {
        if let field = error.fieldErrors.first {
            setNotice(field.messageKey, field.arguments)
        } else {
            setNotice(error.messageKey, error.arguments)
        }
    }

    /// After a change: the next page, with a notice that it was done (post, redirect, get).
    func redirect(to path: String, notice: String, _ arguments: [String] = []) -> Response {
        setNotice(notice, arguments)
        return redirect(to: path)
    }

    /// The form again with what was typed and why it was refused: 409 for a conflict, 413 for a file too large,
    /// 422 otherwise.
    func renderForm(
        _ template: String, _ context: some Encodable, refusing error: SamradError? = nil
    ) async throws -> Response {
        let status: HTTPResponseStatus =
            switch error?.kind {
            case .conflict: .conflict
            case .payloadTooLarge: .payloadTooLarge
            default: .unprocessableEntity
            }
        return try await view.render(template, context).encodeResponse(status: status, for: self)
    }
}
