"""A deterministic generator of synthetic news archives, written in the real import format.

``generate_corpus(out_dir, n=..., seed=...)`` writes ``n`` articles as JSON Lines files
(the format ``import_articles`` reads) and ``entities.json`` (the entities, with their
aliases, that the articles name). The same ``n``, ``seed`` and ``GENERATOR_VERSION``
always give the same bytes; bump the version whenever the output changes, so cached
archives built from older output are not reused.

What the articles look like:

- a title of 6–12 words; a body of 300–800 words in paragraphs (sometimes with a
  subheading), drawn from a Zipf vocabulary of pseudo-words plus a few hundred real
  energy and diplomacy words, so queries such as ``wind`` or ``"solar farm"`` make sense;
- 3–8 entities named in the text, by name or by one of their 1–5 aliases (acronyms,
  initials, Cyrillic spellings); popular entities are named far more often than the rest;
- a date over 20 years (more articles in later years), one of ~30 sources, a dateline,
  1–4 of ~40 tags, a unique URL.

Entities come from ``generate_entities(count, aliases=...)``: the corpus uses the first
``CORPUS_ENTITIES`` of the same list the tagging benchmark uses in full (10,000 entities
with 30,000 aliases).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import shutil
from bisect import bisect
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GENERATOR_VERSION = 1
DEFAULT_SEED = 20_260_601
CHUNK_LINES = 400  # 400 articles ≈ 1.8 MB per file, well under the importer's 5 MB file limit
CORPUS_ENTITIES = 3_000
TAGGING_ENTITIES = 10_000
TAGGING_ALIASES = 30_000
VOCABULARY_SIZE = 30_000
ZIPF_EXPONENT = 1.0
FIRST_DAY = dt.date(2005, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
MIN_WORDS, MAX_WORDS = 300, 800

# Function words take the top ranks, as in real text (the index drops most as stop words).
FUNCTION_WORDS = (
    "the of and to in a that is for on said with as was by at from it its will has have be are "
    "were this which an also but not or after over more than new their they he she would could "
    "about into last year two between under while since both other been had per most some three"
).split()
# Real words at the ranks of common content words: every article has several of them.
COMMON_WORDS = (
    "energy wind power government minister solar project president company gas oil electricity "
    "capacity investment agreement cooperation trade grid plant state billion million region "
    "development construction production national foreign china kazakhstan international summit "
    "talks visit market prices supply export import infrastructure economic policy security "
    "renewable coal water transport railway pipeline turbines farm panels officials delegation "
    "ministry bank financing contract tender auction emissions climate carbon nuclear hydropower "
    "reservoir dam station transmission network storage battery hydrogen uranium border corridor"
).split()
# Words of middling frequency: found in a few per cent of articles.
MIDDLE_WORDS = (
    "memorandum ratified consortium feasibility commissioning megawatt gigawatt substation "
    "interconnector electrolysis tariff subsidy concession shareholders bilateral multilateral "
    "ambassador communique envoy negotiations sanctions logistics freight terminal container "
    "refinery petrochemical smelter copper lithium steppe desert irrigation drought heating "
    "boiler modernisation privatisation regulator ombudsman auditor parliament senate decree "
    "inauguration ceremony groundbreaking turbine blades inverter photovoltaic offshore onshore "
    "decarbonisation efficiency metering blackout outage curtailment dispatch balancing reserve "
    "government-backed loan bond guarantee equity lender insurer arbitration dispute"
).split()
# Rare words: a query for one of these finds a few hundred articles in 100,000.
RARE_WORDS = (
    "geothermal tidal biomass cogeneration pumped-storage thorium geomagnetic permafrost "
    "heliostat anemometer desalination"
).split()
# Two-word phrases inserted as such, so phrase queries have real matches.
COLLOCATIONS = (
    "solar farm|wind farm|power plant|state visit|natural gas|trade agreement|energy security|"
    "carbon neutrality|wind turbines|solar panels|power grid|coal plant|gas pipeline|"
    "investment agreement|joint venture|energy transition|green hydrogen|heating season|"
    "transmission line|free trade zone|belt and road|climate finance|local content|"
    "power purchase agreement|renewable energy|state company|prime minister|foreign minister"
).split("|")
SOURCE_NAMES = (
    "Steppe Energy Review|Caspian Wire|Astana Courier|Silk Road Business|Tengri Daily|"
    "Almaty Morning Post|Eurasia Power Weekly|Central Asia Monitor|Qazaq Herald|Urumqi Trade News|"
    "Karaganda Times|Aral Observer|Altai Chronicle|Balkhash Report|Irtysh Gazette|Zhetysu Bulletin|"
    "Northern Grid Journal|Orda Business|Khorgos Gateway News|Turan Economic Review|Sary-Arka Press|"
    "Mangystau Mirror|Ili Valley Voice|Tarbagatai Tribune|Pavlodar Post|Kyzylorda Courier|"
    "Shymkent Evening|Atyrau Oil Digest|Kostanay Ledger|Tianshan Observer"
).split("|")
TAG_NAMES = (
    "wind power|solar power|hydropower|coal|oil and gas|nuclear|power grid|energy policy|climate|"
    "bilateral relations|trade|investment|summits|Belt and Road|transport|railways|pipelines|"
    "mining|metals|agriculture|water|heating|electricity prices|hydrogen|batteries|manufacturing|"
    "finance|banking|sanctions|diplomacy|security|elections|regional government|labour|"
    "environment|technology|construction|logistics|tourism|education"
).split("|")

_CONSONANTS = ("b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh", "zh", "ch", "y")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "y", "ai", "ou")
_FIRST_NAMES = (
    "Aset Bolat Daniyar Erlan Galym Kairat Marat Nurlan Olzhas Ruslan Serik Timur Yerzhan Askar Berik "
    "Dauren Zhanna Aigerim Dana Gulnara Madina Saule Aliya Kamila Togzhan Li Wang Zhang Chen Liu Yang "
    "Zhao Huang Zhou Wu Anna Maria Elena Olga Irina Sergei Dmitry Alexei Viktor Pavel John Sarah "
    "David Emma James Laura Michael Sophie Thomas Claire Ahmed Fatima Omar Leila Hassan Yusuf Rustam "
    "Dilnoza Farrukh Jasur Akmal Nodira Shavkat Bakhtiyor Gulbahor Azamat Baurzhan Yerlan"
).split()
_LAST_NAMES_LATIN = (
    "Abenov Akhmetov Baimukhamedov Dzhaksybekov Ermekov Iskakov Kassymov Mukanov Nurpeisov Omarov "
    "Sadykov Tulegenov Utemisov Zhunusov Bekov Kenzhebayev Sarsenbayev Tokhtarov Yessenov Aliyev "
    "Rakhimov Usmanov Karimov Mirzayev Tashkentov Ivanov Petrov Sokolov Volkov Morozov Novikov "
    "Zhou Sun Ma Hu Guo Lin He Gao Luo Zheng Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian "
    "Smith Brown Taylor Wilson Evans Walker Wright Green Hall Wood Harris Clarke Turner Hill Baker"
).split()
_INDUSTRY = ("Wind", "Solar", "Power", "Energy", "Grid", "Gas", "Oil", "Mining", "Rail", "Water",
             "Hydro", "Heat", "Steel", "Logistics", "Capital", "Trade", "Nuclear", "Transit")
_ORG_TYPES = ("Company", "Corporation", "Holding", "Group", "Fund", "Agency", "Authority", "Bank",
              "Development Bank", "Investment Corporation", "Electric Company", "Ministry")
_PROJECT_TYPES = ("Wind Farm", "Solar Park", "Power Station", "Hydropower Plant", "Substation",
                  "Pipeline", "Dry Port", "Railway Line", "Battery Storage Plant", "Gas Field")
_EVENT_TYPES = ("Energy Forum", "Summit", "Investment Forum", "Trade Fair", "Climate Conference",
                "Business Council", "Expo", "Ministerial Meeting")
_CYRILLIC = {
    "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "y": "ы", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф",
    "h": "х", "c": "ц", "j": "дж", "q": "к", "w": "в", "x": "кс",
}
_CYRILLIC_DIGRAPHS = {"zh": "ж", "kh": "х", "sh": "ш", "ch": "ч", "ts": "ц", "ya": "я", "yu": "ю", "ye": "е"}


def cyrillic(text: str) -> str:
    """A simple Latin-to-Cyrillic transliteration, enough for realistic aliases ("Бекова")."""
    out, i, lower = [], 0, text.lower()
    while i < len(text):
        pair = lower[i : i + 2]
        if pair in _CYRILLIC_DIGRAPHS:
            piece, step = _CYRILLIC_DIGRAPHS[pair], 2
        else:
            piece, step = _CYRILLIC.get(lower[i], text[i]), 1
        out.append(piece.upper() if text[i].isupper() else piece)
        i += step
    return "".join(out)


def _pseudo_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))


def _zipf_cumulative(count: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


@dataclass(frozen=True)
class Entity:
    name: str
    kind: str
    aliases: tuple[str, ...]

    def as_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "aliases": list(self.aliases)}


def _acronym(words: list[str]) -> str:
    return "".join(word[0] for word in words if word[:1].isalpha()).upper()


def _entity_candidates(rng: random.Random, kind: str, taken: set[str], places: list[str]) -> Entity | None:
    """One new entity of ``kind`` with up to five candidate aliases, or None on a name clash."""
    if kind == "person":
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES_LATIN)
        if rng.random() < 0.5:
            last = _pseudo_word(rng, 2).capitalize() + rng.choice(("ov", "ev", "bekov", "uly", "ova"))
        name = f"{first} {last}"
        aliases = [f"{first[0]}. {last}", cyrillic(name), cyrillic(last) + " " + cyrillic(first)[0] + ".",
                   f"{last} {first}", f"{first} {last[0]}. {last}"]
    elif kind == "place":
        name = _pseudo_word(rng, rng.choice((2, 3))).capitalize()
        name += rng.choice(("", "", "abad", "kent", "tau", "kol", "bulak", "su"))
        aliases = [cyrillic(name), name + "sk", name.replace("k", "q").replace("K", "Q"),
                   name + " District", name + " City"]
    elif kind == "organisation":
        stem = rng.choice(places) if places and rng.random() < 0.5 else _pseudo_word(rng, 2).capitalize()
        words = [stem, rng.choice(_INDUSTRY), rng.choice(_ORG_TYPES)]
        name = " ".join(words)
        aliases = [_acronym(" ".join(words).split()), f"{stem} {words[1]}", cyrillic(stem) + " " + words[1],
                   f"{stem} {words[1]} Co", f"{_acronym(' '.join(words).split())} Group"]
    elif kind == "project":
        stem = rng.choice(places) if places else _pseudo_word(rng, 2).capitalize()
        kind_words = rng.choice(_PROJECT_TYPES)
        name = f"{stem} {kind_words}"
        aliases = [f"{stem} project", f"{stem} {kind_words.split()[0].lower()} project", cyrillic(stem) + " project",
                   f"{stem} site", f"{stem}-{rng.randint(1, 9)}"]
    else:  # event
        stem = rng.choice(places) if places and rng.random() < 0.6 else _pseudo_word(rng, 2).capitalize()
        words = [stem, *rng.choice(_EVENT_TYPES).split(), str(rng.randint(2005, 2024))]
        name = " ".join(words)
        aliases = [_acronym(words[:-1]) + " " + words[-1], " ".join(words[:-1]), f"{stem} meeting",
                   cyrillic(stem) + " " + words[-1], f"{stem} {words[-1]}"]
    key = name.casefold()
    if key in taken or len(name) > 200:
        return None
    taken.add(key)
    return Entity(name=name, kind=kind, aliases=tuple(aliases))


ENTITY_KINDS = (("person", 0.36), ("organisation", 0.27), ("place", 0.13), ("project", 0.15), ("event", 0.09))


@cache
def generate_entities(count: int = TAGGING_ENTITIES, *, aliases: int = TAGGING_ALIASES,
                      seed: int = DEFAULT_SEED) -> tuple[Entity, ...]:
    """``count`` distinct entities with ``aliases`` aliases in all (1–5 each), in a seeded order.

    Any prefix of the list is itself a realistic mix of kinds, so the corpus takes the
    first few thousand and the tagging benchmark the whole list.
    """
    rng = random.Random(f"{seed}:entities")
    taken: set[str] = set()
    places: list[str] = []
    kinds = [kind for kind, _ in ENTITY_KINDS]
    weights = [weight for _, weight in ENTITY_KINDS]
    drafts: list[Entity] = []
    while len(drafts) < count:
        kind = "place" if len(places) < 40 else rng.choices(kinds, weights)[0]
        entity = _entity_candidates(rng, kind, taken, places)
        if entity is None:
            continue
        if kind == "place":
            places.append(entity.name)
        drafts.append(entity)
    distinct = []
    for draft in drafts:
        seen, kept = {draft.name.casefold()}, []
        for alias in draft.aliases:
            if alias.casefold() not in seen:
                seen.add(alias.casefold())
                kept.append(alias)
        distinct.append(kept)
    # Alias counts of 1–5 per entity (fewer where fewer exist), adding up to ``aliases``.
    per_entity = [min(rng.choice((1, 2, 3, 3, 4, 5)), len(kept)) for kept in distinct]
    target = min(aliases, sum(len(kept) for kept in distinct))
    total = sum(per_entity)
    while total != target:
        i = rng.randrange(count)
        if total < target and per_entity[i] < len(distinct[i]):
            per_entity[i] += 1
            total += 1
        elif total > target and per_entity[i] > 1:
            per_entity[i] -= 1
            total -= 1
    entities = [
        Entity(draft.name, draft.kind, tuple(kept[:n]))
        for draft, kept, n in zip(drafts, distinct, per_entity, strict=True)
    ]
    return tuple(entities)


@dataclass(frozen=True)
class _Model:
    """Everything an article is drawn from; rebuilt identically in every worker process."""

    vocabulary: list[str]
    vocabulary_cum: list[float]
    content_from: int  # first rank of the vocabulary that is not a function word
    entities: tuple[Entity, ...]
    entities_cum: list[float]
    sources: list[str]
    sources_cum: list[float]
    tags: list[str]
    tags_cum: list[float]
    datelines: list[str]
    collocations_cum: list[float]


def _spread(words: list[str], start: int, end: int) -> dict[int, str]:
    """Words at evenly spaced ranks from ``start`` to ``end``, in list order (the first is the most frequent)."""
    step = (end - start) / len(words)
    return {start + int(i * step): word for i, word in enumerate(words)}


@cache
def _model(seed: int) -> _Model:
    rng = random.Random(f"{seed}:vocabulary")
    all_entities = generate_entities(TAGGING_ENTITIES, aliases=TAGGING_ALIASES, seed=seed)
    # No ordinary word may also be a name: the tagger would find it everywhere.
    name_words = {
        part.casefold() for entity in all_entities for name in (entity.name, *entity.aliases) for part in name.split()
    }
    real = set(FUNCTION_WORDS + COMMON_WORDS + MIDDLE_WORDS + RARE_WORDS)
    pseudo: list[str] = []
    seen = real | name_words
    while len(pseudo) < VOCABULARY_SIZE:
        word = _pseudo_word(rng, rng.choice((1, 2, 2, 3, 3, 4)))
        if len(word) >= 3 and word not in seen:
            seen.add(word)
            pseudo.append(word)
    ranks: dict[int, str] = dict(enumerate(FUNCTION_WORDS))
    ranks.update(_spread(COMMON_WORDS, len(FUNCTION_WORDS), 1_200))
    ranks.update(_spread(MIDDLE_WORDS, 1_500, 8_000))
    ranks.update(_spread(RARE_WORDS, 20_000, VOCABULARY_SIZE))
    fill = iter(pseudo)
    vocabulary = [ranks[rank] if rank in ranks else next(fill) for rank in range(VOCABULARY_SIZE)]
    entities = all_entities[:CORPUS_ENTITIES]
    datelines = [entity.name for entity in entities if entity.kind == "place"][:40]
    return _Model(
        vocabulary=vocabulary,
        vocabulary_cum=_zipf_cumulative(len(vocabulary), ZIPF_EXPONENT),
        content_from=len(FUNCTION_WORDS),
        entities=entities,
        entities_cum=_zipf_cumulative(len(entities), 0.9),
        sources=list(SOURCE_NAMES),
        sources_cum=_zipf_cumulative(len(SOURCE_NAMES), 0.7),
        tags=list(TAG_NAMES),
        tags_cum=_zipf_cumulative(len(TAG_NAMES), 0.8),
        datelines=datelines,
        collocations_cum=_zipf_cumulative(len(COLLOCATIONS), 0.8),
    )


def corpus_entities(seed: int = DEFAULT_SEED) -> tuple[Entity, ...]:
    """The entities the corpus names (what ``entities.json`` holds)."""
    return _model(seed).entities


def _pick(rng: random.Random, items: list, cumulative: list[float]):
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def _unique_picks(rng: random.Random, items, cumulative: list[float], k: int) -> list:
    picked: list = []
    while len(picked) < k:
        item = _pick(rng, items, cumulative)
        if item not in picked:
            picked.append(item)
    return picked


def _content_words(rng: random.Random, model: _Model, k: int) -> list[str]:
    # Titles and subheadings start after the function words, as headlines do.
    cum = model.vocabulary_cum
    low = cum[model.content_from - 1]
    return [model.vocabulary[bisect(cum, low + rng.random() * (cum[-1] - low))] for _ in range(k)]


def _article(rng: random.Random, model: _Model, number: int) -> dict:
    target = rng.randint(MIN_WORDS, MAX_WORDS - 5)
    mentioned = _unique_picks(rng, model.entities, model.entities_cum, rng.randint(3, 8))
    # Units are words or multi-word names; sentences never split a unit.
    special: list[str] = []
    for entity in mentioned:
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            use_alias = entity.aliases and rng.random() < 0.3
            special.append(rng.choice(entity.aliases) if use_alias else entity.name)
    for _ in range(rng.randint(1, 5)):
        special.append(_pick(rng, COLLOCATIONS, model.collocations_cum))
    special_words = sum(len(unit.split()) for unit in special)
    heading = _content_words(rng, model, rng.randint(3, 6)) if rng.random() < 0.3 else None
    base = target - special_words - (len(heading) if heading else 0)
    units = rng.choices(model.vocabulary, cum_weights=model.vocabulary_cum, k=max(base, 0))
    for unit in special:
        units.insert(rng.randrange(len(units) + 1), unit)

    paragraphs, sentences, sentence = [], [], []
    sentence_length = rng.randint(8, 24)
    paragraph_length = rng.randint(3, 6)
    for unit in units:
        sentence.append(unit)
        if len(sentence) >= sentence_length:
            sentences.append(_sentence(rng, sentence))
            sentence, sentence_length = [], rng.randint(8, 24)
            if len(sentences) >= paragraph_length:
                paragraphs.append(" ".join(sentences))
                sentences, paragraph_length = [], rng.randint(3, 6)
    if sentence:
        sentences.append(_sentence(rng, sentence))
    if sentences:
        paragraphs.append(" ".join(sentences))
    if heading and len(paragraphs) > 2:
        paragraphs.insert(rng.randrange(2, len(paragraphs)), " ".join(heading).capitalize())

    title_words = _content_words(rng, model, rng.randint(6, 12))
    if rng.random() < 0.6:
        name = rng.choice(mentioned).name.split()
        if len(name) < len(title_words):
            at = rng.randrange(len(title_words) - len(name) + 1)
            title_words[at : at + len(name)] = name
    title = " ".join(title_words)
    day = FIRST_DAY + dt.timedelta(days=int(((LAST_DAY - FIRST_DAY).days + 1) * rng.random() ** 0.8))
    source = _pick(rng, model.sources, model.sources_cum)
    dateline = rng.choice(model.datelines)
    tags = _unique_picks(rng, model.tags, model.tags_cum, rng.randint(1, 4))
    host = "".join(ch for ch in source.lower() if ch.isalnum())
    return {
        "title": title[:1].upper() + title[1:],
        "date": day.isoformat(),
        "source": source,
        "dateline": dateline.upper(),
        "url": f"https://{host}.example/{day:%Y/%m}/{number:07d}",
        "tags": tags,
        "body": "\n\n".join(paragraphs),
    }


def _sentence(rng: random.Random, units: list[str]) -> str:
    if len(units) > 10 and rng.random() < 0.4:
        units = units[:]
        cut = rng.randrange(4, len(units) - 3)
        units[cut] += ","
    text = " ".join(units)
    return text[:1].upper() + text[1:] + "."


def articles(n: int, *, seed: int = DEFAULT_SEED, start: int = 0) -> Iterator[dict]:
    """Articles ``start`` … ``n - 1``; each chunk of ``CHUNK_LINES`` has its own seeded generator."""
    model = _model(seed)
    for chunk in range(start // CHUNK_LINES, -(-n // CHUNK_LINES)):
        rng = random.Random(f"{seed}:chunk:{chunk}")
        for number in range(chunk * CHUNK_LINES, min((chunk + 1) * CHUNK_LINES, n)):
            article = _article(rng, model, number)
            if number >= start:
                yield article


def _write_chunk(args: tuple[Path, int, int, int]) -> str:
    folder, n, seed, chunk = args
    path = folder / f"articles-{chunk:05d}.jsonl"
    end = min((chunk + 1) * CHUNK_LINES, n)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for article in articles(end, seed=seed, start=chunk * CHUNK_LINES):
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path.name


def generate_corpus(out_dir: Path, *, n: int, seed: int = DEFAULT_SEED, workers: int | None = None) -> dict:
    """Write ``n`` articles under ``out_dir/corpus`` and the entities to ``out_dir/entities.json``.

    Writes into a temporary folder and renames it at the end, so an interrupted run
    never leaves a half corpus that looks complete. Returns the manifest.
    """
    out_dir = Path(out_dir)
    final, partial = out_dir / "corpus", out_dir / "corpus.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    chunks = [(partial, n, seed, chunk) for chunk in range(-(-n // CHUNK_LINES))]
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers > 1 and len(chunks) > 2:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            files = list(pool.map(_write_chunk, chunks))
    else:
        files = [_write_chunk(chunk) for chunk in chunks]
    entities = [entity.as_json() for entity in corpus_entities(seed)]
    (partial / "entities.json").write_text(json.dumps(entities, ensure_ascii=False, indent=0) + "\n", "utf-8")
    manifest = {"generator_version": GENERATOR_VERSION, "seed": seed, "articles": n, "files": files,
                "entities": len(entities), "aliases": sum(len(e["aliases"]) for e in entities)}
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    manifest = generate_corpus(args.out_dir, n=args.n, seed=args.seed)
    print(f"{manifest['articles']} articles in {len(manifest['files'])} files under {args.out_dir / 'corpus'}")


if __name__ == "__main__":
    main()
