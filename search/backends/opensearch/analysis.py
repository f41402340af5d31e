r"""The OpenSearch index: its analysis settings and explicit mapping, and the document of an article record.

Built once, as plain data, to mirror the Whoosh index (search/backends/whoosh/schema.py and
analysis.py) field for field, so that a query finds the same articles on either engine:

- Words are the tokens of search.text.TOKEN_PATTERN (a `pattern` tokenizer with the same class:
  Python's `\w` is `[\p{L}\p{N}_]`, plus the combining marks, so Arabic vowel marks do not split
  a word), lower-cased, and folded like search.text.fold.
- Folding is a `mapping` char filter generated from fold() itself, character by character: the
  built-in filters fold differently (asciifolding turns ø into o and ß into ss, which NFKD keeps;
  arabic_normalization and persian_normalization cover part of ARABIC_LETTER_FORMS each) and ICU
  is not installed.
- Each language Whoosh stems has a field `content_<code>` with Whoosh's stop words (the same lists,
  copied below, and Whoosh's minimum token length of 2 that comes with them) and the Snowball
  stemmer of its language (Lucene's `snowball` filter: the algorithms Whoosh's pure-Python ports
  implement, in a newer revision; they agree on every word tests/test_opensearch_compiler.py has).
  Every other language shares `content`: folded, unstemmed.
- Stop words are removed by a `pattern_replace` char filter, not a stop filter: Whoosh removes them
  before folding (its lists are spelled with accents) and renumbers the positions after them, so
  `"bank of england"` finds "Bank of the England" and `"war regional"` finds "war again in the
  region"; Lucene's stop filter leaves a gap at each stop word, and no filter can close it. Taken
  out of the text before the tokenizer, a stop word leaves no position at all, as in Whoosh.
- Sorani Kurdish (`ckb`) gets `content_ckb` with OpenSearch's sorani normalization and stemmer,
  which Whoosh does not have (it reads Kurdish unstemmed, in `content`): a deliberate difference,
  asked for in the issue. No stop words, as in Whoosh, so that which words vanish from a query
  stays known to the compiler without Sorani normalization in Python.
- authors, source, dateline and spell are analysed like Whoosh's StandardAnalyzer (its own `\w+`
  tokens, lower-cased, no folding); language is a lower-cased keyword.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from types import MappingProxyType

from search import duplicates
from search.fields import TITLE_WEIGHT, UNDETERMINED_LANGUAGE
from search.text import TOKEN_PATTERN, fold

# Field names (as the Whoosh schema names them, so both engines speak of the same fields).
ID_FIELD = "id"
PATH = "path"
CONTENT_HASH = "content_hash"
TITLE = "title"
BODY = "body"
CONTENT = "content"
AUTHORS = "authors"
SOURCE = "source"
DATELINE = "dateline"
LANGUAGE = "language"
DATE = "date"
YEAR = "year"
MONTH = "month"
AUTHOR_FACET = "author_facet"
SOURCE_FACET = "source_facet"
RECORD = "record"
HAS_DATE = "has_date"
HAS_AUTHOR = "has_author"
BODY_HASH = "body_hash"
SPELL = "spell"
CLUSTER = "cluster"
ROLE = "role"
NEAR_KEYS = "near_keys"
TOPIC_KEYS = "topic_keys"
ORDER = "order"  # when the article was put: ties in ranking and within a cluster go to the earlier one
CLUSTERED = "clustered"  # true for the articles of a cluster with several (search-time collapsing reads only them)

# The languages Whoosh stems (search.backends.whoosh.analysis.STEMMED_LANGUAGES, which this package
# may not import), with the name of their Snowball stemmer in OpenSearch's `snowball` filter.
SNOWBALL = MappingProxyType(
    {
        "da": "Danish",
        "nl": "Dutch",
        "en": "English",
        "fi": "Finnish",
        "fr": "French",
        "de": "German",
        "hu": "Hungarian",
        "it": "Italian",
        "no": "Norwegian",
        "pt": "Portuguese",
        "ro": "Romanian",
        "ru": "Russian",
        "es": "Spanish",
        "sv": "Swedish",
    }
)
SORANI = "ckb"
STEMMED_LANGUAGES = (*SNOWBALL, SORANI)
LANGUAGE_CONTENT = MappingProxyType({code: f"{CONTENT}_{code}" for code in STEMMED_LANGUAGES})
CONTENT_FIELDS = (CONTENT, *LANGUAGE_CONTENT.values())
# Titles are searched with `title:` in English, as in Whoosh (most of the archive is English).
TITLE_LANGUAGE = "en"

# Query-language field names (search.fields.QUERY_FIELDS) -> index field searched.
QUERY_FIELDS = MappingProxyType(
    {"title": TITLE, "author": AUTHORS, "source": SOURCE, "language": LANGUAGE, "dateline": DATELINE, "date": DATE}
)
# Fields analysed like Whoosh's StandardAnalyzer (TEXT() there): a word of several tokens is all of them.
STANDARD_FIELDS = frozenset({AUTHORS, SOURCE, DATELINE})

# --- Stop words -----------------------------------------------------------------------------------
# Whoosh's lists (whoosh.lang.stopwords, from NLTK's Snowball lists), each joined with Whoosh's
# default English STOP_WORDS, as StopFilter(lang=...) joins them. Copied rather than taken from
# OpenSearch's `_german_` and the like: Lucene's lists differ (its English one has `would`, `could`
# and contractions but not `may`, `will`, `us`; its French one has `les`, `cette`...), and a word that
# is a stop word on one engine only is required there and ignored on the other.
# tests/test_opensearch_compiler.py checks that these are still Whoosh's lists.
_DEFAULT_STOP_WORDS = """
    a an and are as at be by can for from have if in is it may not of on or tbd that the this to us we
    when will with yet you your
"""
_LANGUAGE_STOP_WORDS = {
    "da": """
        ad af alle alt anden at blev blive bliver da de dem den denne der deres det dette dig din disse dog
        du efter eller en end er et for fra ham han hans har havde have hende hendes her hos hun hvad hvis
        hvor i ikke ind jeg jer jo kunne man mange med meget men mig min mine mit mod ned noget nogle nu når
        og også om op os over på selv sig sin sine sit skal skulle som sådan thi til ud under var vi vil
        ville vor være været
    """,
    "nl": """
        aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens
        en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je
        kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons
        ook op over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat werd wezen wie
        wil worden wordt zal ze zelf zich zij zijn zo zonder zou
    """,
    "en": """
        a about above after again against all am an and any are as at be because been before being below
        between both but by can did do does doing don down during each few for from further had has have
        having he her here hers herself him himself his how i if in into is it its itself just me more most
        my myself no nor not now of off on once only or other our ours ourselves out over own s same she
        should so some such t than that the their theirs them themselves then there these they this those
        through to too under until up very was we were what when where which while who whom why will with
        you your yours yourself yourselves
    """,
    "fi": """
        ei eivät emme en et ette että he heidän heidät heihin heille heillä heiltä heissä heistä heitä hän
        häneen hänelle hänellä häneltä hänen hänessä hänestä hänet häntä itse ja johon joiden joihin joiksi
        joilla joille joilta joina joissa joista joita joka joksi jolla jolle jolta jona jonka jos jossa
        josta jota jotka kanssa keiden keihin keiksi keille keillä keiltä keinä keissä keistä keitä keneen
        keneksi kenelle kenellä keneltä kenen kenenä kenessä kenestä kenet ketkä ketä koska kuin kuka kun me
        meidän meidät meihin meille meillä meiltä meissä meistä meitä mihin miksi mikä mille millä miltä
        minkä minua minulla minulle minulta minun minussa minusta minut minuun minä missä mistä mitkä mitä
        mukaan mutta ne niiden niihin niiksi niille niillä niiltä niin niinä niissä niistä niitä noiden
        noihin noiksi noilla noille noilta noin noina noissa noista noita nuo nyt näiden näihin näiksi
        näille näillä näiltä näinä näissä näistä näitä nämä ole olemme olen olet olette oli olimme olin
        olisi olisimme olisin olisit olisitte olisivat olit olitte olivat olla olleet ollut on ovat poikki
        se sekä sen siihen siinä siitä siksi sille sillä siltä sinua sinulla sinulle sinulta sinun sinussa
        sinusta sinut sinuun sinä sitä tai tallä te teidän teidät teihin teille teillä teiltä teissä teistä
        teitä tuo tuohon tuoksi tuolla tuolle tuolta tuon tuona tuossa tuosta tuotä tähän täksi tälle tältä
        tämä tämän tänä tässä tästä tätä vaan vai vaikka yli
    """,
    "fr": """
        ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions aurons
        auront aux avaient avais avait avec avez aviez avions avons ayant ayante ayantes ayants ayez ayons c
        ce ces d dans de des du elle en es est et eu eue eues eurent eus eusse eussent eusses eussiez
        eussions eut eux eûmes eût eûtes furent fus fusse fussent fusses fussiez fussions fut fûmes fût
        fûtes il j je l la le leur lui m ma mais me mes moi mon même n ne nos notre nous on ont ou par pas
        pour qu que qui s sa se sera serai seraient serais serait seras serez seriez serions serons seront
        ses soient sois soit sommes son sont soyez soyons suis sur t ta te tes toi ton tu un une vos votre
        vous y à étaient étais était étant étante étantes étants étiez étions été étée étées étés êtes
    """,
    "de": """
        aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anderm
        andern anderr anders auch auf aus bei bin bis bist da damit dann das dasselbe dazu daß dein deine
        deinem deinen deiner deines dem demselben den denn denselben der derer derselbe derselben des
        desselben dessen dich die dies diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du
        durch ein eine einem einen einer eines einig einige einigem einigen einiger einiges einmal er es
        etwas euch euer eure eurem euren eurer eures für gegen gewesen hab habe haben hat hatte hatten hier
        hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden
        jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können
        könnte machen man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich
        mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner
        seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte sondern sonst um
        und uns unse unsem unsen unser unses unter viel vom von vor war waren warst was weg weil weiter
        welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen
        wollte während würde würden zu zum zur zwar zwischen über
    """,
    "hu": """
        a abban ahhoz ahogy ahol aki akik akkor alatt amely amelyek amelyekben amelyeket amelyet amelynek
        ami amikor amit amolyan amíg annak arra arról az azok azon azonban azt aztán azután azzal azért be
        belül benne bár cikk cikkek cikkeket csak de e ebben eddig egy egyes egyetlen egyik egyre egyéb
        egész ehhez ekkor el ellen elsõ elég elõ elõször elõtt emilyen ennek erre ez ezek ezen ezt ezzel
        ezért fel felé hanem hiszen hogy hogyan igen ill ill. illetve ilyen ilyenkor ismét ison itt jobban
        jó jól kell kellett keressünk keresztül ki kívül között közül legalább legyen lehet lehetett lenne
        lenni lesz lett maga magát majd meg mellett mely melyek mert mi mikor milyen minden mindenki mindent
        mindig mint mintha mit mivel miért most már más másik még míg nagy nagyobb nagyon ne nekem neki nem
        nincs néha néhány nélkül olyan ott pedig persze rá s saját sem semmi sok sokat sokkal szemben
        szerint szinte számára talán tehát teljes tovább továbbá több ugyanis utolsó után utána vagy vagyis
        vagyok valaki valami valamint való van vannak vele vissza viszont volna volt voltak voltam voltunk
        által általában át én éppen és így õ õk õket össze úgy új újabb újra
    """,
    "it": """
        a abbia abbiamo abbiano abbiate ad agl agli ai al all alla alle allo anche avemmo avendo avesse
        avessero avessi avessimo aveste avesti avete aveva avevamo avevano avevate avevi avevo avrai avranno
        avrebbe avrebbero avrei avremmo avremo avreste avresti avrete avrà avrò avuta avute avuti avuto c
        che chi ci coi col come con contro cui da dagl dagli dai dal dall dalla dalle dallo degl degli dei
        del dell della delle dello di dov dove e ebbe ebbero ebbi ed era erano eravamo eravate eri ero
        essendo faccia facciamo facciano facciate faccio facemmo facendo facesse facessero facessi facessimo
        faceste facesti faceva facevamo facevano facevate facevi facevo fai fanno farai faranno farebbe
        farebbero farei faremmo faremo fareste faresti farete farà farò fece fecero feci fosse fossero fossi
        fossimo foste fosti fu fui fummo furono gli ha hai hanno ho i il in io l la le lei li lo loro lui ma
        mi mia mie miei mio ne negl negli nei nel nell nella nelle nello noi non nostra nostre nostri nostro
        o per perché più quale quanta quante quanti quanto quella quelle quelli quello questa queste questi
        questo sarai saranno sarebbe sarebbero sarei saremmo saremo sareste saresti sarete sarà sarò se sei
        si sia siamo siano siate siete sono sta stai stando stanno starai staranno starebbe starebbero
        starei staremmo staremo stareste staresti starete starà starò stava stavamo stavano stavate stavi
        stavo stemmo stesse stessero stessi stessimo steste stesti stette stettero stetti stia stiamo stiano
        stiate sto su sua sue sugl sugli sui sul sull sulla sulle sullo suo suoi ti tra tu tua tue tuo tuoi
        tutti tutto un una uno vi voi vostra vostre vostri vostro è
    """,
    "no": """
        alle at av bare begge ble blei bli blir blitt både båe da de deg dei deim deira deires dem den denne
        der dere deres det dette di din disse ditt du dykk dykkar då eg ein eit eitt eller elles en enn er
        et ett etter for fordi fra før ha hadde han hans har hennar henne hennes her hjå ho hoe honom hoss
        hossen hun hva hvem hver hvilke hvilken hvis hvor hvordan hvorfor i ikke ikkje ingen ingi inkje inn
        inni ja jeg kan kom korleis korso kun kunne kva kvar kvarhelst kven kvi kvifor man mange me med
        medan meg meget mellom men mi min mine mitt mot mykje ned no noe noen noka noko nokon nokor nokre nå
        når og også om opp oss over på samme seg selv si sia sidan siden sin sine sitt sjøl skal skulle slik
        so som somme somt så sånn til um upp ut uten var vart varte ved vere verte vi vil ville vore vors
        vort vår være vært å
    """,
    "pt": """
        a ao aos aquela aquelas aquele aqueles aquilo as até com como da das de dela delas dele deles depois
        do dos e ela elas ele eles em entre era eram essa essas esse esses esta estamos estas estava estavam
        este esteja estejam estejamos estes esteve estive estivemos estiver estivera estiveram estiverem
        estivermos estivesse estivessem estivéramos estivéssemos estou está estávamos estão eu foi fomos for
        fora foram forem formos fosse fossem fui fôramos fôssemos haja hajam hajamos havemos hei houve
        houvemos houver houvera houveram houverei houverem houveremos houveria houveriam houvermos houverá
        houverão houveríamos houvesse houvessem houvéramos houvéssemos há hão isso isto já lhe lhes mais mas
        me mesmo meu meus minha minhas muito na nas nem no nos nossa nossas nosso nossos num numa não nós o
        os ou para pela pelas pelo pelos por qual quando que quem se seja sejam sejamos sem serei seremos
        seria seriam será serão seríamos seu seus somos sou sua suas são só também te tem temos tenha tenham
        tenhamos tenho terei teremos teria teriam terá terão teríamos teu teus teve tinha tinham tive
        tivemos tiver tivera tiveram tiverem tivermos tivesse tivessem tivéramos tivéssemos tu tua tuas tém
        tínhamos um uma você vocês vos à às éramos
    """,
    "ru": """
        а без более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот впрочем все
        всегда всего всех всю вы где да даже два для до другой его ее ей ему если есть еще ж же за зачем
        здесь и из или им иногда их к как какая какой когда конечно кто куда ли лучше между меня мне много
        может можно мой моя мы на над надо наконец нас не него нее ней нельзя нет ни нибудь никогда ним них
        ничего но ну о об один он она они опять от перед по под после потом потому почти при про раз разве с
        сам свою себе себя сейчас со совсем так такой там тебя тем теперь то тогда того тоже только том тот
        три тут ты у уж уже хорошо хоть чего чем через что чтоб чтобы чуть эти этого этой этом этот эту я
    """,
    "es": """
        a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el
        ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta estaba estabais
        estaban estabas estad estada estadas estado estados estamos estando estar estaremos estará estarán
        estarás estaré estaréis estaría estaríais estaríamos estarían estarías estas este estemos esto estos
        estoy estuve estuviera estuvierais estuvieran estuvieras estuvieron estuviese estuvieseis estuviesen
        estuvieses estuvimos estuviste estuvisteis estuviéramos estuviésemos estuvo está estábamos estáis
        están estás esté estéis estén estés fue fuera fuerais fueran fueras fueron fuese fueseis fuesen
        fueses fui fuimos fuiste fuisteis fuéramos fuésemos ha habida habidas habido habidos habiendo
        habremos habrá habrán habrás habré habréis habría habríais habríamos habrían habrías habéis había
        habíais habíamos habían habías han has hasta hay haya hayamos hayan hayas hayáis he hemos hube
        hubiera hubierais hubieran hubieras hubieron hubiese hubieseis hubiesen hubieses hubimos hubiste
        hubisteis hubiéramos hubiésemos hubo la las le les lo los me mi mis mucho muchos muy más mí mía mías
        mío míos nada ni no nos nosotras nosotros nuestra nuestras nuestro nuestros o os otra otras otro
        otros para pero poco por porque que quien quienes qué se sea seamos sean seas sentid sentida
        sentidas sentido sentidos seremos será serán serás seré seréis sería seríais seríamos serían serías
        seáis siente sin sintiendo sobre sois somos son soy su sus suya suyas suyo suyos sí también tanto te
        tendremos tendrá tendrán tendrás tendré tendréis tendría tendríais tendríamos tendrían tendrías
        tened tenemos tenga tengamos tengan tengas tengo tengáis tenida tenidas tenido tenidos teniendo
        tenéis tenía teníais teníamos tenían tenías ti tiene tienen tienes todo todos tu tus tuve tuviera
        tuvierais tuvieran tuvieras tuvieron tuviese tuvieseis tuviesen tuvieses tuvimos tuviste tuvisteis
        tuviéramos tuviésemos tuvo tuya tuyas tuyo tuyos tú un una uno unos vosostras vosostros vuestra
        vuestras vuestro vuestros y ya yo él éramos
    """,
    "sv": """
        alla allt att av blev bli blir blivit de dem den denna deras dess dessa det detta dig din dina ditt
        du där då efter ej eller en er era ert ett från för ha hade han hans har henne hennes hon honom hur
        här i icke ingen inom inte jag ju kan kunde man med mellan men mig min mina mitt mot mycket ni nu
        när någon något några och om oss på samma sedan sig sin sina sitta själv skulle som så sådan sådana
        sådant till under upp ut utan vad var vara varför varit varje vars vart vem vi vid vilka vilkas
        vilken vilket vår våra vårt än är åt över
    """,
}
STOP_WORDS_DEFAULT = frozenset(_DEFAULT_STOP_WORDS.split())
STOP_WORDS = MappingProxyType(
    {code: frozenset(words.split()) | STOP_WORDS_DEFAULT for code, words in _LANGUAGE_STOP_WORDS.items()}
)
# Whoosh's StopFilter also drops tokens shorter than this (only in fields that have stop words).
MIN_TOKEN_CHARS = 2
# Whoosh's spelling field keeps words of 3 characters or more.
MIN_SPELL_CHARS = 3

# --- Tokenizers -----------------------------------------------------------------------------------
# Python's `\w` on str is exactly [\p{L}\p{N}_] (Java's `\w` is ASCII, or with UNICODE_CHARACTER_CLASS
# also takes marks and the zero-width joiners, which would join Persian and Kurdish words).
_WORD_CHARS = r"\p{L}\p{N}_"
WORD_PATTERN = TOKEN_PATTERN.replace(r"\w", _WORD_CHARS)  # search.text.TOKEN_PATTERN in Java's syntax
STANDARD_PATTERN = rf"[{_WORD_CHARS}]+(?:\.?[{_WORD_CHARS}]+)*"  # Whoosh's default RegexTokenizer
_TOKEN_CHAR = re.compile(TOKEN_PATTERN.split("]")[0] + "]")
TOKEN = re.compile(TOKEN_PATTERN)  # a word of the content fields and the title
STANDARD_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # a word of authors, source, dateline


def _alternation(words: list[str]) -> str:
    """A regular expression matching exactly these words, as a trie (each position tries few branches)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    optional = "" in node
    if len(branches) == 1 and not optional:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if optional else "")


def stop_pattern(words: frozenset[str], word_chars: str) -> str:
    """A Java regular expression matching each whole token that Whoosh's StopFilter removes.

    The stop words (in any case, as Whoosh lower-cases before it compares) and every token shorter
    than MIN_TOKEN_CHARS, where a token is a run of `word_chars` joined by single dots, as the
    tokenizers read it (`the.end` is one token, not a stop word).
    """
    before = rf"(?<![{word_chars}])(?<![{word_chars}]\.)"
    after = rf"(?![{word_chars}])(?!\.[{word_chars}])"
    return rf"(?iu){before}(?:{_alternation(sorted(words))}|[{word_chars}]){after}"


def _fold_mappings() -> list[str]:
    """The `mapping` char filter rules that apply search.text.fold() character by character.

    Only word characters are mapped, and only to word characters (or to nothing: marks vanish),
    so the tokenizer splits the folded text where Whoosh splits the original. fold() works on
    whole tokens, but it is a per-character mapping followed by NFC, which recomposes nothing
    once the marks are gone; the few characters it folds to something with a non-word character
    (`¼` to `1⁄4`) are left alone.
    """
    rules = []
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue  # surrogates are not characters
        char = chr(point)
        if not _TOKEN_CHAR.match(char) or (folded := fold(char)) == char:
            continue
        if all(_TOKEN_CHAR.match(part) for part in folded):
            rules.append(f"{_escape(char)} => {_escape(folded)}")
    return rules


def _escape(text: str) -> str:
    r"""A mapping rule's text: every character as \uXXXX (a pair of them beyond the BMP)."""
    units = text.encode("utf-16-be")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


# --- Analysis settings ----------------------------------------------------------------------------
FOLD = "fold"  # char filter
WORDS = "words"  # tokenizer: search.text.TOKEN_PATTERN
STANDARD_WORDS = "standard_words"  # tokenizer: Whoosh's default pattern
STANDARD_ANALYZER = "whoosh_standard"
SPELL_ANALYZER = "spell"
GENERIC_ANALYZER = CONTENT


def content_analyzer(code: str) -> str:
    """The analyzer of a language's content field (CONTENT's for languages without one)."""
    return LANGUAGE_CONTENT.get(code, GENERIC_ANALYZER)


def pattern_analyzer(field: str) -> str | None:
    """The analyzer that stems a prefix, wildcard or fuzzy word as one whole token, as Whoosh does.

    Whoosh runs a pattern's text through the field's analyzer untokenized (`attacks*` searches
    `attack*` in English text); the stemmer lives in the cluster, so the compiler asks it with
    this analyzer (compiler.compile_query's `stem`). None: the field does not stem.
    """
    if field == TITLE:
        field = LANGUAGE_CONTENT[TITLE_LANGUAGE]
    return f"pattern_{field}" if field in LANGUAGE_CONTENT.values() else None


def _build_analysis() -> dict:
    word_chars = _TOKEN_CHAR.pattern[1:-1].replace(r"\w", _WORD_CHARS)
    char_filters: dict[str, dict] = {
        FOLD: {"type": "mapping", "mappings": _fold_mappings()},
        "stop_standard": {
            "type": "pattern_replace",
            "pattern": stop_pattern(STOP_WORDS_DEFAULT, _WORD_CHARS),
            "replacement": "",
        },
    }
    filters: dict[str, dict] = {
        "spell_length": {"type": "length", "min": MIN_SPELL_CHARS},
        "stem_ckb": {"type": "stemmer", "language": "sorani"},
    }
    analyzers: dict[str, dict] = {
        GENERIC_ANALYZER: {"type": "custom", "char_filter": [FOLD], "tokenizer": WORDS, "filter": ["lowercase"]},
        STANDARD_ANALYZER: {
            "type": "custom",
            "char_filter": ["stop_standard"],
            "tokenizer": STANDARD_WORDS,
            "filter": ["lowercase"],
        },
        SPELL_ANALYZER: {"type": "custom", "tokenizer": STANDARD_WORDS, "filter": ["lowercase", "spell_length"]},
    }
    for code, stemmer in SNOWBALL.items():
        filters[f"stem_{code}"] = {"type": "snowball", "language": stemmer}
        stops = []
        if code in STOP_WORDS:
            pattern = stop_pattern(STOP_WORDS[code], word_chars)
            char_filters[f"stop_{code}"] = {"type": "pattern_replace", "pattern": pattern, "replacement": ""}
            stops = [f"stop_{code}"]
        analyzers[LANGUAGE_CONTENT[code]] = {
            "type": "custom",
            "char_filter": [*stops, FOLD],
            "tokenizer": WORDS,
            "filter": ["lowercase", f"stem_{code}"],
        }
    analyzers[LANGUAGE_CONTENT[SORANI]] = {
        "type": "custom",
        "char_filter": [FOLD],
        "tokenizer": WORDS,
        "filter": ["lowercase", "sorani_normalization", "stem_ckb"],
    }
    # A pattern's text, whole, as its field would stem it (the compiler has decided it is no stop word).
    for field in LANGUAGE_CONTENT.values():
        analyzers[f"pattern_{field}"] = {
            "type": "custom",
            "char_filter": [FOLD],
            "tokenizer": "keyword",
            "filter": analyzers[field]["filter"],
        }
    return {
        "char_filter": char_filters,
        "tokenizer": {
            WORDS: {"type": "pattern", "pattern": WORD_PATTERN, "group": 0},
            STANDARD_WORDS: {"type": "pattern", "pattern": STANDARD_PATTERN, "group": 0},
        },
        "filter": filters,
        "normalizer": {"lowercase": {"type": "custom", "filter": ["lowercase"]}},
        "analyzer": analyzers,
    }


def _build_mapping() -> dict:
    keyword = {"type": "keyword"}
    standard_text = {"type": "text", "analyzer": STANDARD_ANALYZER}
    return {
        "dynamic": "strict",
        "properties": {
            ID_FIELD: keyword,
            PATH: keyword,
            CONTENT_HASH: keyword,
            # Searched with `title:`; its words are also in the content field (TITLE_WEIGHT times).
            TITLE: {"type": "text", "analyzer": LANGUAGE_CONTENT[TITLE_LANGUAGE]},
            # Shown, never searched: its words are in the content field.
            BODY: {"type": "text", "index": False},
            **{field: {"type": "text", "analyzer": field} for field in CONTENT_FIELDS},
            AUTHORS: standard_text,
            SOURCE: standard_text,
            DATELINE: standard_text,
            LANGUAGE: {"type": "keyword", "normalizer": "lowercase"},
            DATE: {"type": "date", "format": "strict_date"},
            YEAR: keyword,
            MONTH: keyword,
            AUTHOR_FACET: keyword,  # one value per author
            SOURCE_FACET: keyword,
            HAS_DATE: {"type": "boolean"},  # undated articles sort after dated ones
            HAS_AUTHOR: {"type": "boolean"},
            BODY_HASH: keyword,  # identical copies share it
            CLUSTER: keyword,
            ROLE: keyword,
            NEAR_KEYS: keyword,
            TOPIC_KEYS: keyword,
            ORDER: {"type": "long"},
            CLUSTERED: {"type": "boolean"},
            # Unstemmed words for spelling suggestions: which words exist and how often, no positions.
            SPELL: {"type": "text", "analyzer": SPELL_ANALYZER, "index_options": "freqs"},
            # The article's metadata for the article page and API, kept whole and never indexed.
            RECORD: {"type": "object", "enabled": False},
        },
    }


ANALYSIS = MappingProxyType(_build_analysis())
MAPPING = MappingProxyType(_build_mapping())


MAX_ANALYZED_TOKENS = 200_000  # OpenSearch's default, 10,000, is less than one long article


def index_body(shards: int = 1, replicas: int = 0) -> dict:
    """The body of the create-index request: settings (analysis) and the mapping."""
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                # Snippets analyse a page's texts in one `_analyze` call (32,768 characters of each at most).
                "analyze": {"max_token_count": MAX_ANALYZED_TOKENS},
            },
            "analysis": dict(ANALYSIS),
        },
        "mappings": dict(MAPPING),
    }


# --- Documents ------------------------------------------------------------------------------------
# Record keys kept out of the stored metadata, as in Whoosh: the body is stored on its own, the rest is index-only.
NOT_IN_RECORD = frozenset({"body", "date", "near_keys"})
# Whoosh keeps several authors in one keyword field, comma-separated; names are cleaned of commas the same way.
KEYWORD_SEPARATOR = ","


def content_field(language: str | None) -> str:
    """Return the field an article in this language is searched in."""
    return LANGUAGE_CONTENT.get((language or "").lower(), CONTENT)


def document(
    record: dict, *, cluster: str | None = None, role: str | None = None, order: int = 0, clustered: bool = False
) -> dict:
    """Return the OpenSearch document of an article record (as the indexer makes it).

    The same content as Whoosh's writer.index_fields(): the title is written TITLE_WEIGHT times
    into the content field of the article's language (BM25F's field weight, see schema.py), the
    authors are one text joined by "; " (a phrase may span two names there too). `cluster` and
    `role` are what search.duplicates decided when the article was put; `order` says when (Whoosh's
    document numbers give the same tie-breaks); `clustered` that its cluster holds other articles.
    """
    day: dt.date | None = record.get("date")
    title, body = record.get("title") or "", record.get("body") or ""
    authors = [name.replace(KEYWORD_SEPARATOR, " ").strip() for name in record.get("authors") or []]
    doc = {
        ID_FIELD: record["id"],
        PATH: record["path"],
        CONTENT_HASH: record["content_hash"],
        TITLE: title,
        BODY: body,
        content_field(record.get("language")): "\n".join([title] * TITLE_WEIGHT + [body]),
        AUTHORS: "; ".join(authors),
        SOURCE: record.get("source") or "",
        SOURCE_FACET: record.get("source") or "",
        DATELINE: record.get("dateline") or "",
        LANGUAGE: record.get("language") or UNDETERMINED_LANGUAGE,
        AUTHOR_FACET: [name for name in authors if name],
        HAS_DATE: bool(day),
        HAS_AUTHOR: any(authors),
        BODY_HASH: duplicates.text_hash(title, body),
        SPELL: f"{title}\n{body}",
        ORDER: order,
        CLUSTERED: clustered,
        RECORD: {k: v for k, v in record.items() if k not in NOT_IN_RECORD}
        | {"date": day.isoformat() if day else None},
    }
    if record.get("topic_keys"):
        doc[TOPIC_KEYS] = list(record["topic_keys"])
    if keys := [key for key in record.get("near_keys") or [] if key]:
        doc[NEAR_KEYS] = keys
    if day:
        doc[DATE] = day.isoformat()
        doc[YEAR] = f"{day.year:04d}"
        doc[MONTH] = f"{day.year:04d}-{day.month:02d}"
    if cluster is not None:
        doc[CLUSTER] = cluster
    if role is not None:
        doc[ROLE] = role
    return doc
