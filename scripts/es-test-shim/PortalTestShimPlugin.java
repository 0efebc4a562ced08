// The portal's test shim for Elasticsearch's integ-test-zip distribution (test nodes only).
//
// Why: the integ-test-zip on Maven Central carries only apm, transport-netty4 and x-pack; it
// lacks the analysis-common and rest-root modules that every full Elasticsearch ships. This
// plugin registers Lucene's own analysis classes (lucene-analysis-common, in the
// distribution's lib/) under the names and settings analysis-common uses, and answers GET/HEAD
// /, so the portal's index mapping runs unchanged on the test node and on a full cluster.
// scripts/services.sh compiles it with javac against the distribution's jars; PORTAL_ES_SHIM=0
// leaves it out. It is never used with a full distribution (services.sh removes it there).
package org.opendataportal.estestshim;

import java.io.Reader;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.analysis.AbstractCharFilterFactory;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredCharFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * Test-only stand-ins for what Elasticsearch's integ-test-zip lacks: GET/HEAD /
 * (module rest-root) and the analysis components the portal uses (module
 * analysis-common), under the same names and settings, built on the same
 * Lucene classes. Written by scripts/services.sh; not for production.
 * Known gaps: the index setting index.max_ngram_diff (default 1) is not
 * enforced for ngram, the stemmer knows English only, and synonym,
 * word_delimiter(_graph), pattern and mapping components are not here.
 */
public class PortalTestShimPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private volatile ClusterService clusterService;

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService = services.clusterService();
        return List.of();
    }

    // ---- GET / and HEAD / --------------------------------------------------
    @Override
    public Collection<RestHandler> getRestHandlers(Settings settings, NamedWriteableRegistry registry,
            RestController controller, ClusterSettings clusterSettings, IndexScopedSettings indexScopedSettings,
            SettingsFilter settingsFilter, IndexNameExpressionResolver resolver, Supplier<DiscoveryNodes> nodes,
            Predicate<NodeFeature> features) {
        return List.of(new BaseRestHandler() {
            @Override public String getName() { return "portal_test_shim_main_action"; }
            @Override public List<Route> routes() {
                return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
            }
            @Override protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
                return channel -> {
                    Build build = Build.current();
                    XContentBuilder b = channel.newBuilder();
                    b.startObject();
                    b.field("name", clusterService.localNode().getName());
                    b.field("cluster_name", clusterService.getClusterName().value());
                    b.field("cluster_uuid", clusterService.state().metadata().clusterUUID());
                    b.startObject("version")
                        .field("number", build.qualifiedVersion())
                        .field("build_flavor", build.flavor())
                        .field("build_type", build.type().displayName())
                        .field("build_hash", build.hash())
                        .field("build_date", build.date())
                        .field("build_snapshot", build.isSnapshot())
                        .field("lucene_version", org.apache.lucene.util.Version.LATEST.toString())
                        .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                        .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                        .endObject();
                    b.field("tagline", "You Know, for Search");
                    b.endObject();
                    channel.sendResponse(new RestResponse(RestStatus.OK, b));
                };
            }
        });
    }

    // ---- analysis: configurable components (type + settings) ---------------
    interface Wrap { TokenStream apply(TokenStream in, Settings s); }
    interface Make { Tokenizer make(Settings s); }

    static final class Filter extends AbstractTokenFilterFactory {
        final Settings s; final Wrap w;
        Filter(String name, Settings s, Wrap w) { super(name, s); this.s = s; this.w = w; }
        @Override public TokenStream create(TokenStream in) { return w.apply(in, s); }
    }

    /** Also allowed in normalizers (keyword fields). */
    static final class NormalizingFilter extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        final Settings s; final Wrap w;
        NormalizingFilter(String name, Settings s, Wrap w) { super(name, s); this.s = s; this.w = w; }
        @Override public TokenStream create(TokenStream in) { return w.apply(in, s); }
    }

    static AnalysisProvider<TokenFilterFactory> filter(Wrap w) {
        return (indexSettings, env, name, s) -> new Filter(name, s, w);
    }

    static AnalysisProvider<TokenFilterFactory> normalizing(Wrap w) {
        return (indexSettings, env, name, s) -> new NormalizingFilter(name, s, w);
    }

    static AnalysisProvider<TokenizerFactory> tokenizer(Make m) {
        return (indexSettings, env, name, s) -> new AbstractTokenizerFactory(indexSettings, s, name) {
            @Override public Tokenizer create() { return m.make(s); }
        };
    }

    static TokenStream stemmer(TokenStream in, Settings s) {
        String language = s.get("language", s.get("name", "english"));
        switch (language) {
            case "english": case "porter": return new PorterStemFilter(in);
            case "light_english": case "kstem": return new KStemFilter(in);
            case "minimal_english": return new EnglishMinimalStemFilter(in);
            case "possessive_english": return new EnglishPossessiveFilter(in);
            default: throw new IllegalArgumentException(
                "stemmer language [" + language + "] is not in the portal test shim (english, light_english, minimal_english, possessive_english, porter)");
        }
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new TreeMap<>();
        m.put("asciifolding", normalizing((in, s) -> new ASCIIFoldingFilter(in, s.getAsBoolean("preserve_original", false))));
        m.put("uppercase", normalizing((in, s) -> new UpperCaseFilter(in)));
        m.put("trim", normalizing((in, s) -> new TrimFilter(in)));
        m.put("edge_ngram", filter((in, s) -> new EdgeNGramTokenFilter(in, s.getAsInt("min_gram", 1),
            s.getAsInt("max_gram", 2), s.getAsBoolean("preserve_original", false))));
        m.put("ngram", filter((in, s) -> new NGramTokenFilter(in, s.getAsInt("min_gram", 1),
            s.getAsInt("max_gram", 2), s.getAsBoolean("preserve_original", false))));
        m.put("porter_stem", filter((in, s) -> new PorterStemFilter(in)));
        m.put("kstem", filter((in, s) -> new KStemFilter(in)));
        m.put("stemmer", filter(PortalTestShimPlugin::stemmer));
        m.put("snowball", filter((in, s) -> new SnowballFilter(in, s.get("language", "English"))));
        m.put("truncate", filter((in, s) -> new TruncateTokenFilter(in, s.getAsInt("length", 10))));
        m.put("length", filter((in, s) -> new LengthFilter(in, s.getAsInt("min", 0), s.getAsInt("max", Integer.MAX_VALUE))));
        m.put("reverse", filter((in, s) -> new ReverseStringFilter(in)));
        return m;
    }

    /** The (edge_)ngram tokenizers' token_chars: empty means every character. */
    static IntPredicate tokenChars(Settings s) {
        List<String> classes = s.getAsList("token_chars");
        if (classes.isEmpty()) {
            return c -> true;
        }
        String custom = s.get("custom_token_chars", "");
        IntPredicate p = c -> false;
        for (String cls : classes) {
            switch (cls) {
                case "letter": p = p.or(Character::isLetter); break;
                case "digit": p = p.or(Character::isDigit); break;
                case "whitespace": p = p.or(Character::isWhitespace); break;
                case "punctuation": p = p.or(c -> {
                    int t = Character.getType(c);
                    return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                        || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                        || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                        || t == Character.OTHER_PUNCTUATION;
                }); break;
                case "symbol": p = p.or(c -> {
                    int t = Character.getType(c);
                    return t == Character.MATH_SYMBOL || t == Character.CURRENCY_SYMBOL
                        || t == Character.MODIFIER_SYMBOL || t == Character.OTHER_SYMBOL;
                }); break;
                case "custom": p = p.or(c -> custom.indexOf(c) >= 0); break;
                default: throw new IllegalArgumentException("Unknown token type: '" + cls + "'");
            }
        }
        return p;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> m = new TreeMap<>();
        m.put("edge_ngram", tokenizer(s -> {
            IntPredicate chars = tokenChars(s);
            return new EdgeNGramTokenizer(s.getAsInt("min_gram", 1), s.getAsInt("max_gram", 2)) {
                @Override protected boolean isTokenChar(int c) { return chars.test(c); }
            };
        }));
        m.put("ngram", tokenizer(s -> {
            IntPredicate chars = tokenChars(s);
            return new NGramTokenizer(s.getAsInt("min_gram", 1), s.getAsInt("max_gram", 2)) {
                @Override protected boolean isTokenChar(int c) { return chars.test(c); }
            };
        }));
        m.put("keyword", tokenizer(s -> new KeywordTokenizer()));
        m.put("whitespace", tokenizer(s -> new WhitespaceTokenizer()));
        m.put("letter", tokenizer(s -> new LetterTokenizer()));
        return m;
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of("html_strip", (indexSettings, env, name, s) -> new AbstractCharFilterFactory(name) {
            @Override public Reader create(Reader reader) { return new HTMLStripCharFilter(reader); }
        });
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", (indexSettings, env, name, s) -> new AbstractIndexAnalyzerProvider<EnglishAnalyzer>(name, s) {
            private final EnglishAnalyzer analyzer = new EnglishAnalyzer(
                Analysis.parseStopWords(env, s, EnglishAnalyzer.getDefaultStopSet()),
                Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET));
            @Override public EnglishAnalyzer get() { return analyzer; }
        });
    }

    // ---- analysis: the same names without settings (`_analyze`, mappings) ---
    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(
            PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new),
            PreConfiguredTokenFilter.singleton("uppercase", true, UpperCaseFilter::new),
            PreConfiguredTokenFilter.singleton("trim", true, TrimFilter::new),
            PreConfiguredTokenFilter.singleton("edge_ngram", false, false, in -> new EdgeNGramTokenFilter(in, 1, 2, false)),
            PreConfiguredTokenFilter.singleton("ngram", false, false, in -> new NGramTokenFilter(in, 1, 2, false)),
            PreConfiguredTokenFilter.singleton("porter_stem", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton("kstem", false, KStemFilter::new),
            PreConfiguredTokenFilter.singleton("snowball", false, in -> new SnowballFilter(in, "English")),
            PreConfiguredTokenFilter.singleton("reverse", false, ReverseStringFilter::new));
    }

    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(
            PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new),
            PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new),
            PreConfiguredTokenizer.singleton("letter", LetterTokenizer::new),
            PreConfiguredTokenizer.singleton("edge_ngram", () -> new EdgeNGramTokenizer(1, 2)),
            PreConfiguredTokenizer.singleton("ngram", NGramTokenizer::new));
    }

    @Override
    public List<PreConfiguredCharFilter> getPreConfiguredCharFilters() {
        return List.of(PreConfiguredCharFilter.singleton("html_strip", false, HTMLStripCharFilter::new));
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(new PreBuiltAnalyzerProviderFactory("english", CachingStrategy.ONE, EnglishAnalyzer::new));
    }
}
