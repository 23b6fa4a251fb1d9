import Foundation

/// Who does what with a survey of many. Organisers build it; class codes for a school are made by
/// its organisers and by the people of the school's municipality (a teacher hands them out); anyone
/// holding a class code answers once, without an account.
public enum SurveyPolicy {
    public static func mayMakeClassCode(_ actor: Actor, organiserID: UUID, municipality: MunicipalityKey) -> Bool {
        QuestionnairePolicy.mayBuild(actor, organiserID: organiserID) || actor.belongs(to: municipality)
    }

    /// A class code takes at most a large class's answers, so one passed on cannot fill a school.
    public static let classSize = 1...40
}
