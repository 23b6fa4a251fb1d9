import Foundation

/// What the server knows about an actor's collaborations, for what is shared within them
/// (materials, discussion guides, local dialogues' results): those they belong to (their
/// municipality is registered, they are attached, or they organise it) and those they run.
public struct CollaborationReader: Sendable {
    public var actor: Actor
    public var memberOf: Set<UUID>
    public var editorOf: Set<UUID>

    public init(actor: Actor, memberOf: Set<UUID>, editorOf: Set<UUID>) {
        self.actor = actor
        self.memberOf = memberOf
        self.editorOf = editorOf
    }
}
