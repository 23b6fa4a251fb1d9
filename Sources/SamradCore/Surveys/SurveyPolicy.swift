import Foundation

/// Who does what with a survey of many. Organisers build it and follow how many answered; class
/// codes for a school are made by its organisers and by the people of the school's municipality (a
/// teacher hands them out); anyone holding a one-time link or a class code answers once, without an
/// account. Who answered is shown to organisers only in a confidential survey.
public enum SurveyPolicy {
    public static func mayMakeClassCode(_ actor: Actor, organiserID: UUID, municipality: MunicipalityKey) -> Bool {
        QuestionnairePolicy.mayBuild(actor, organiserID: organiserID) || actor.belongs(to: municipality)
    }

    public static func maySeeWhoAnswered(_ actor: Actor, organiserID: UUID, anonymity: SurveyAnonymity) -> Bool {
        anonymity == .confidential && QuestionnairePolicy.mayBuild(actor, organiserID: organiserID)
    }

    /// A meeting's evaluation: its organisers, and the coordinators of the municipality that hosted it.
    public static func mayReadEvaluation(_ actor: Actor, organiserID: UUID, host: MunicipalityKey?) -> Bool {
        QuestionnairePolicy.mayBuild(actor, organiserID: organiserID) || actor.coordinates(host)
    }

    /// A class code takes at most a large class's answers, so one passed on cannot fill a school.
    public static let classSize = 1...40
}
