using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Actions.Data.Jq;

/// <summary>
/// Recursive-descent parser for the jq subset of the spec, with jq 1.6's precedence:
/// <c>|</c> &lt; <c>,</c> &lt; <c>//</c> &lt; <c>or</c> &lt; <c>and</c> &lt; comparisons &lt; <c>+ -</c> &lt; <c>* / %</c> &lt; postfix.
/// Function names are checked against the builtins at compile time.
/// Nesting is bounded (<see cref="MaxDepth"/>) both while parsing (brackets, parentheses, string interpolations,
/// unary minus, try, calls) and in the tree built (chains of <c>+</c>, <c>.a.b</c>, <c>?</c>, elif…), so that neither
/// the parser nor the evaluator can run out of stack; pipes and commas are kept flat and do not count.
/// </summary>
internal sealed class JqParser
{
    /// <summary>
    /// The deepest nesting accepted, as jq 1.6 accepts JSON nested at most 256 deep. Real handles nest a few levels;
    /// 256 levels parse and evaluate in well under 100 KB of stack.
    /// </summary>
    public const int MaxDepth = 256;

    private readonly List<Token> _tokens;
    private int _pos;
    private int _depth;

    private JqParser(List<Token> tokens, int depth)
    {
        _tokens = tokens;
        _depth = depth;
    }

    /// <summary>Parses a program, or the source of a string interpolation found <paramref name="depth"/> levels deep.</summary>
    public static JqAst Parse(string text, int offset = 0, int depth = 0)
    {
        if (depth > MaxDepth) throw TooDeep(offset);
        var parser = new JqParser(JqLexer.Lex(text, offset), depth);
        var ast = parser.ParsePipe();
        if (parser.Peek.Kind != TokenKind.End) throw parser.Unexpected();
        return ast;
    }

    public static JqSyntaxException TooDeep(int position) => new($"too deeply nested (more than {MaxDepth} levels)", position);

    /// <summary>One level deeper while parsing a nested construct.</summary>
    private void Enter()
    {
        if (++_depth > MaxDepth) throw TooDeep(Peek.Position);
        // A second guard, whatever the thread's stack size: refuse rather than overflow (caught in JqProgram.Compile).
        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    private void Leave() => _depth--;

    /// <summary>A node of the tree, refused when evaluating it would nest too deeply.</summary>
    private T Node<T>(T node) where T : JqAst => node.Depth > MaxDepth ? throw TooDeep(Peek.Position) : node;

    /// <summary>A whole expression inside brackets, parentheses or keywords: one level deeper.</summary>
    private JqAst ParseNested()
    {
        Enter();
        var inner = ParsePipe();
        Leave();
        return inner;
    }

    private Token Peek => _tokens[_pos];
    private Token Next() => _tokens[_pos++];
    private bool IsOp(string op) => Peek.Kind == TokenKind.Op && Peek.Text == op;
    private bool IsKeyword(string word) => Peek.Kind == TokenKind.Keyword && Peek.Text == word;

    private JqSyntaxException Unexpected() => Peek.Kind == TokenKind.End
        ? new JqSyntaxException("unexpected end of expression", Peek.Position)
        : new JqSyntaxException($"unexpected '{Peek.Text}'", Peek.Position);

    private void Expect(string op)
    {
        if (!IsOp(op)) throw Peek.Kind == TokenKind.End ? new JqSyntaxException($"expected '{op}' before the end", Peek.Position) : new JqSyntaxException($"expected '{op}' but found '{Peek.Text}'", Peek.Position);
        _pos++;
    }

    private void ExpectKeyword(string word)
    {
        if (!IsKeyword(word)) throw new JqSyntaxException($"expected '{word}'", Peek.Position);
        _pos++;
    }

    private JqAst ParsePipe()
    {
        var stages = new List<JqAst> { ParseComma() };
        while (IsOp("|"))
        {
            _pos++;
            stages.Add(ParseComma());
        }
        return stages.Count == 1 ? stages[0] : Node(new PipeAst(stages));
    }

    private JqAst ParseComma()
    {
        var items = new List<JqAst> { ParseAlternative() };
        while (IsOp(","))
        {
            _pos++;
            items.Add(ParseAlternative());
        }
        return items.Count == 1 ? items[0] : Node(new CommaAst(items));
    }

    // Right-associative: a // b // c is a // (b // c); parsed in a loop, folded from the right.
    private JqAst ParseAlternative()
    {
        var operands = new List<JqAst> { ParseOr() };
        while (IsOp("//"))
        {
            _pos++;
            operands.Add(ParseOr());
        }
        if (Peek.Kind == TokenKind.Op && Peek.Text is "=" or "|=" or "+=" or "-=" or "*=" or "/=" or "%=" or "//=" or "?//")
            throw new JqSyntaxException($"'{Peek.Text}' (assignment) is not supported", Peek.Position);
        var result = operands[^1];
        for (var i = operands.Count - 2; i >= 0; i--) result = Node(new AlternativeAst(operands[i], result));
        return result;
    }

    private JqAst ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword("or"))
        {
            _pos++;
            left = Node(new OrAst(left, ParseAnd()));
        }
        return left;
    }

    private JqAst ParseAnd()
    {
        var left = ParseComparison();
        while (IsKeyword("and"))
        {
            _pos++;
            left = Node(new AndAst(left, ParseComparison()));
        }
        return left;
    }

    private JqAst ParseComparison()
    {
        var left = ParseAdditive();
        if (Peek.Kind == TokenKind.Op && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
        {
            var op = Next().Text;
            var right = ParseAdditive();
            if (Peek.Kind == TokenKind.Op && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
                throw new JqSyntaxException($"comparisons cannot be chained ('{Peek.Text}')", Peek.Position);
            return Node(new BinaryAst(op, left, right));
        }
        return left;
    }

    private JqAst ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind == TokenKind.Op && Peek.Text is "+" or "-")
        {
            var op = Next().Text;
            left = Node(new BinaryAst(op, left, ParseMultiplicative()));
        }
        return left;
    }

    private JqAst ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Op && Peek.Text is "*" or "/" or "%")
        {
            var token = Next();
            var right = ParseUnary();
            // jq folds constant arithmetic at compile time, so a literal division by zero does not compile.
            if (token.Text == "/" && left is LiteralAst { Value: JsonValue } && right is LiteralAst { Value: JsonValue rv }
                && rv.GetValueKind() == System.Text.Json.JsonValueKind.Number && JqValues.ToDouble(rv) == 0)
                throw new JqSyntaxException("Division by zero?", token.Position);
            left = Node(new BinaryAst(token.Text, left, right));
        }
        return left;
    }

    private JqAst ParseUnary()
    {
        if (IsOp("-"))
        {
            _pos++;
            Enter();
            var operand = ParseMultiplicativeOperand();
            Leave();
            return Node(new NegateAst(operand));
        }
        return ParsePostfix();
    }

    // Unary minus binds looser than * / % (as in jq's grammar), so -2*3 is -(2*3).
    private JqAst ParseMultiplicativeOperand()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Op && Peek.Text is "*" or "/" or "%")
        {
            var op = Next().Text;
            left = Node(new BinaryAst(op, left, ParseUnary()));
        }
        return left;
    }

    private JqAst ParsePostfix()
    {
        // jq 1.6: if … end is not a term, so only ? may follow it (.a, [0] do not).
        var conditional = IsKeyword("if");
        var term = ParsePrimary();
        while (true)
        {
            if (conditional && !IsOp("?")) return term;
            if (Peek.Kind == TokenKind.Field)
            {
                term = Node(new IndexAst(term, new LiteralAst(JsonValue.Create(Next().Text))));
            }
            else if (IsOp(".") && _tokens[_pos + 1].Kind == TokenKind.String)
            {
                _pos++;
                term = Node(new IndexAst(term, ParseString(Next())));
            }
            else if (IsOp(".") && _tokens[_pos + 1] is { Kind: TokenKind.Op, Text: "[" })
            {
                _pos++;
                term = ParseBracket(term);
            }
            else if (IsOp("["))
            {
                term = ParseBracket(term);
            }
            else if (IsOp("?"))
            {
                _pos++;
                term = Node(new TryAst(term, null));
            }
            else
            {
                return term;
            }
        }
    }

    private JqAst ParseBracket(JqAst target)
    {
        Expect("[");
        if (IsOp("]"))
        {
            _pos++;
            return Node(new IterateAst(target));
        }
        if (IsOp(":"))
        {
            _pos++;
            var to = ParseNested();
            Expect("]");
            return Node(new SliceAst(target, null, to));
        }
        var index = ParseNested();
        if (IsOp(":"))
        {
            _pos++;
            if (IsOp("]"))
            {
                _pos++;
                return Node(new SliceAst(target, index, null));
            }
            var to = ParseNested();
            Expect("]");
            return Node(new SliceAst(target, index, to));
        }
        Expect("]");
        return Node(new IndexAst(target, index));
    }

    private JqAst ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Number:
                _pos++;
                return new LiteralAst(JqValues.Number(token.Number));
            case TokenKind.String:
                _pos++;
                return ParseString(token);
            case TokenKind.Field:
                _pos++;
                return Node(new IndexAst(new IdentityAst(), new LiteralAst(JsonValue.Create(token.Text))));
            case TokenKind.Keyword when token.Text == "if":
                return ParseIf();
            case TokenKind.Keyword when token.Text == "try":
                _pos++;
                Enter();
                var body = ParsePostfix();
                JqAst? handler = null;
                if (IsKeyword("catch"))
                {
                    _pos++;
                    handler = ParsePostfix();
                }
                Leave();
                return Node(new TryAst(body, handler));
            case TokenKind.Keyword:
                throw new JqSyntaxException($"'{token.Text}' is not supported here", token.Position);
            case TokenKind.Ident:
                return ParseCall();
            case TokenKind.Op:
                switch (token.Text)
                {
                    case ".":
                        _pos++;
                        if (Peek.Kind == TokenKind.String) return Node(new IndexAst(new IdentityAst(), ParseString(Next())));
                        if (IsOp("[")) return ParseBracket(new IdentityAst());
                        return new IdentityAst();
                    case "..":
                        _pos++;
                        return new RecurseAst();
                    case "(":
                        _pos++;
                        var inner = ParseNested();
                        Expect(")");
                        return inner;
                    case "[":
                        _pos++;
                        if (IsOp("]"))
                        {
                            _pos++;
                            return new ArrayAst(null);
                        }
                        var items = ParseNested();
                        Expect("]");
                        return Node(new ArrayAst(items));
                    case "{":
                        return ParseObject();
                    case "$":
                        throw new JqSyntaxException("variables are not supported", token.Position);
                }
                break;
        }
        throw Unexpected();
    }

    private JqAst ParseIf()
    {
        ExpectKeyword("if");
        var branches = new List<(JqAst, JqAst)>();
        var condition = ParseNested();
        ExpectKeyword("then");
        branches.Add((condition, ParseNested()));
        while (IsKeyword("elif"))
        {
            _pos++;
            var c = ParseNested();
            ExpectKeyword("then");
            branches.Add((c, ParseNested()));
        }
        // jq 1.6 requires the else branch.
        ExpectKeyword("else");
        var otherwise = ParseNested();
        ExpectKeyword("end");
        return Node(new IfAst(branches, otherwise));
    }

    private JqAst ParseCall()
    {
        var name = Next();
        if (name.Text.StartsWith('$')) throw new JqSyntaxException($"{name.Text} is not defined", name.Position);
        var args = new List<JqAst>();
        if (IsOp("("))
        {
            _pos++;
            args.Add(ParseNested());
            while (IsOp(";"))
            {
                _pos++;
                args.Add(ParseNested());
            }
            Expect(")");
        }
        if (!JqBuiltins.IsDefined(name.Text, args.Count))
            throw new JqSyntaxException($"{name.Text}/{args.Count} is not defined", name.Position);
        return Node(new CallAst(name.Text, args, name.Position));
    }

    private JqAst ParseObject()
    {
        Expect("{");
        Enter();
        var entries = new List<(JqAst, JqAst)>();
        if (IsOp("}"))
        {
            _pos++;
            Leave();
            return new ObjectAst(entries);
        }
        while (true)
        {
            var token = Peek;
            JqAst key;
            JqAst? value = null;
            if (token.Kind is TokenKind.Ident or TokenKind.Keyword)
            {
                _pos++;
                key = new LiteralAst(JsonValue.Create(token.Text));
                if (!IsOp(":")) value = Node(new IndexAst(new IdentityAst(), new LiteralAst(JsonValue.Create(token.Text))));
            }
            else if (token.Kind == TokenKind.String)
            {
                _pos++;
                key = ParseString(token);
                if (!IsOp(":")) value = Node(new IndexAst(new IdentityAst(), key));
            }
            else if (token.Kind == TokenKind.Number)
            {
                throw new JqSyntaxException("object keys must be names, strings or (expressions)", token.Position);
            }
            else if (IsOp("("))
            {
                _pos++;
                key = ParsePipe();
                Expect(")");
                if (!IsOp(":")) throw new JqSyntaxException("expected ':' after a computed key", Peek.Position);
            }
            else
            {
                throw Unexpected();
            }
            if (value is null)
            {
                Expect(":");
                value = ParseObjectValue();
            }
            entries.Add((key, value));
            if (IsOp(","))
            {
                _pos++;
                continue;
            }
            Expect("}");
            Leave();
            return Node(new ObjectAst(entries));
        }
    }

    // jq 1.6: an object value is a term, a negated value or a pipe of those; `{a: .b + 1}` needs parentheses, and
    // so do if and try, which are not terms.
    private JqAst ParseObjectValue()
    {
        var stages = new List<JqAst> { ObjectValueTerm() };
        while (IsOp("|"))
        {
            _pos++;
            stages.Add(ObjectValueTerm());
        }
        return stages.Count == 1 ? stages[0] : Node(new PipeAst(stages));
    }

    private JqAst ObjectValueTerm()
    {
        if (IsKeyword("if") || IsKeyword("try")) throw Unexpected();
        return IsOp("-") ? NextNegated() : ParsePostfix();
    }

    // jq 1.6: `{a: -.x | .y}` negates the whole pipe.
    private NegateAst NextNegated()
    {
        _pos++;
        Enter();
        var operand = ParseObjectValue();
        Leave();
        return Node(new NegateAst(operand));
    }

    /// <summary>A string literal; each interpolation is parsed one level deeper.</summary>
    private JqAst ParseString(Token token)
    {
        var parts = token.Parts!;
        if (parts is [{ Source: null } only]) return new LiteralAst(JsonValue.Create(only.Literal));
        return Node(new StringAst(parts.Select(p => p.Source is null ? (p.Literal, (JqAst?)null) : (null, Parse(p.Source, p.SourcePosition, _depth + 1))).ToList()));
    }
}
