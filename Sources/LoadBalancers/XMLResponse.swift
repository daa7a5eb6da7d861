import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a query API answer: its name, its text and its child elements. The
/// answers are small, so a tree read whole is simpler than a streaming decoder per action.
package struct ResponseElement: Hashable, Sendable {
    var name: String
    var text: String
    var children: [ResponseElement]

    /// The first child named `name`.
    subscript(_ name: String) -> ResponseElement? { children.first { $0.name == name } }

    /// The text at a path of child names: `element.value("Target", "Id")`.
    package func value(_ path: String...) -> String? {
        var element: ResponseElement? = self
        for name in path { element = element?[name] }
        return element?.text
    }

    /// The `<member>` (ELBv2) or `<item>` (EC2) entries of the list at a path of child names.
    func list(_ path: String...) -> [ResponseElement] {
        var element: ResponseElement? = self
        for name in path { element = element?[name] }
        return element?.children.filter { $0.name == "member" || $0.name == "item" } ?? []
    }

    /// The first element named `name` at any depth, this one included.
    func first(named name: String) -> ResponseElement? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(named: name) { return found }
        }
        return nil
    }

    /// Parses a whole document; nil when it is not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> ResponseElement? {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// The code and message of an error answer: ELBv2's `<ErrorResponse><Error>` and EC2's
    /// `<Response><Errors><Error>` alike.
    var error: (code: String, message: String)? {
        guard let error = first(named: "Error"), let code = error.value("Code") else { return nil }
        return (code, error.value("Message") ?? "")
    }
}

/// XMLParser's delegate: a stack of open elements, each closed into its parent.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack = [ResponseElement]()
    var root: ResponseElement?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        stack.append(ResponseElement(name: elementName, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard var element = stack.popLast() else { return }
        element.text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
    }
}
