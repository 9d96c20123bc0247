"""Every sentence the suite ships reads in its own language (issue 10, "every word").

Pure: the catalog's sentences (``grading/catalog/messages.toml``), check titles,
hints and lab steps (``inspect.toml``, ``provision.toml``), the summary's, the
HTML report's and the class page's words (``messages.toml`` too), each ``fr`` text checked for English words and each
``en`` text for French ones with :mod:`selftest.language`; and the detector
itself, on sentences it must catch and names and commands it must leave alone.
The runs (provision on the engine, inspect on scripted hosts) are in
``test_language_runs.py`` and ``test_language_hosts.py``.
"""

from __future__ import annotations

import pytest

from selftest.language import (
    assert_no_leak,
    bare_jargon,
    foreign_words,
    leaks_in,
    our_lines,
    prose,
)


def _sentences() -> list[tuple[str, str, str]]:
    """(where, lang, text) of every shipped sentence."""
    from grading.catalog import DEFAULT_DIR, load_catalog
    from grading.messages import load_messages

    out = []
    for key, texts in load_messages(DEFAULT_DIR).items():
        out += [(f"messages.toml [{key}]", lang, texts[lang]) for lang in ("fr", "en")]
    catalog = load_catalog(DEFAULT_DIR)
    for (mode, check_id), entry in catalog.entries.items():
        for lang in ("fr", "en"):
            shown = catalog.text(mode, check_id, lang)
            for field in ("title", "hint", "lab_step"):
                value = getattr(shown, field, "") or ""
                if field == "lab_step":  # the handout's section heading is quoted as written
                    value = value.split(" · ", 1)[-1]
                out.append((f"{mode}.toml [{check_id}] {field}", lang, value))
    return out


SENTENCES = _sentences()


def test_there_are_sentences_of_every_kind() -> None:
    kinds = {where.split(" ")[0] for where, _, _ in SENTENCES}
    assert {"messages.toml", "inspect.toml", "provision.toml"} <= kinds
    # the reports' words are entries of messages.toml like every other sentence
    prefixes = {where.split("[")[1].split(".")[0] for where, _, _ in SENTENCES
                if where.startswith("messages.toml")}
    assert {"summary", "mark", "html", "class", "state", "inspect", "engine"} <= prefixes


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_shipped_sentence_reads_in_its_language(lang: str) -> None:
    leaks = [str(leak) for where, in_lang, text in SENTENCES if in_lang == lang
             for leak in foreign_words(text, lang, where)]
    assert leaks == [], f"{len(leaks)} word(s) of the other language:\n" + "\n".join(leaks)


# -- the detector ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("expected network moby-counter2, found none", ["expected", "found", "none"]),
    ("Info : ping -c 3 redis shows 172.29.0.2", ["shows"]),
    (("mobygrade: lab images (local): redis=mobygrade/redis:local -- stand-ins built here "
      "with no registry (--lab-images=local)"), ["built", "here", "with", "no"]),
    ("impossible de regarder : the container is not running", ["the", "is", "not"]),
    ("sweep took 0.4 s", []),  # too short to tell: no function word (a known blind spot)
])
def test_english_in_a_french_text_is_caught(text: str, words: list[str]) -> None:
    assert [leak.word for leak in foreign_words(text, "fr")] == words


@pytest.mark.parametrize(("text", "words"), [
    ("aucun conteneur nommé redis", ["aucun", "nommé"]),
    ("Hint: le réseau moby-counter2 est absent", ["le", "réseau", "est"]),
    ("no container named redis (l'application ne répond pas)", ["l'application", "ne", "répond", "pas"]),
])
def test_french_in_an_english_text_is_caught(text: str, words: list[str]) -> None:
    assert [leak.word for leak in foreign_words(text, "en")] == words


@pytest.mark.parametrize("text", [
    "docker container run -d --name redis --network moby-counter redis:alpine",
    "docker volume prune --all ; docker network rm moby-counter2",
    "à faire : docker rm -f -v $(docker ps -aq --filter label=mobygrade.run=mg1)",
    "`docker container exec moby-counter ping -c 3 redis` affiche l'adresse de redis",
    "/v1/ping doit répondre {\"connected\": true} sur http://127.0.0.1:8080/",
    "volume 4605e90a7231beef0123 de mobygrade/redis:local monté sur /data",
    "« Exécutez la commande ping -c 3 redis ... Quelle est l'adresse ip affichée ? »",
    "sudo usermod -aG docker $USER, puis reconnectez-vous",
    "contexte docker inconnu 'nope' : DOCKER_CONTEXT nomme un contexte qui n'existe pas",
    "networks.dns_redis, cleanup.prune_scoped, redis_data, moby-counter2",
])
def test_names_and_commands_in_a_french_text_are_not_english(text: str) -> None:
    assert foreign_words(text, "fr") == [], prose(text)


@pytest.mark.parametrize("text", [
    "docker container run -d --name redis2 --network-alias redis redis:alpine",
    "no volume named redis_data (docker volume create redis_data)",
    "the socket /var/run/docker.sock does not exist. Start one (sudo systemctl start docker)",
    "Lab step: Networks · “Run docker network create moby-counter”",
])
def test_names_and_commands_in_an_english_text_are_not_french(text: str) -> None:
    assert foreign_words(text, "en") == [], prose(text)


def test_pytest_chrome_is_not_ours() -> None:
    output = (
        "============================= test session starts ==============================\n"
        "platform linux -- Python 3.11.7, pytest-9.0.3, pluggy-1.6.0\n"
        "collected 18 items\n\n"
        "tests/provision/test_cleanup.py .                                        [  5%]\n"
        "=============================== mobygrade : note ===============================\n"
        "Note : 20/20\n"
        "============================= 18 passed in 34.84s ==============================\n"
    )
    assert our_lines(output).split("\n") == ["", "Note : 20/20"] or "Note : 20/20" in our_lines(output)
    assert leaks_in([("run.out", output)], "fr") == []


def test_pytest_tracebacks_and_quoted_logs_are_not_sentences() -> None:
    output = ("=================================== FAILURES ===================================\n"
              "    def test_app_connected(networks_lab: NetworksLab) -> None:\n"
              "E   fixtures.wait.WaitTimeout: timed out after 30 s waiting for the app\n"
              "=============================== mobygrade : note ===============================\n"
              "  échoué 0/2  L'application joint redis\n"
              "                --- docker logs --tail 40 mg1-net-redis ---\n"
              "                │ 1:M # WARNING Memory overcommit must be enabled! Without it...\n")
    assert leaks_in([("run.out", output)], "fr") == []
    assert foreign_words("| x | a<br>│ the redis is ready<br>Indice : y |", "fr") == []


# -- DNS answers in plain words --------------------------------------------------------

_DOCKER_DNS = "127.0.0.11"
DNS_ANSWERS = [
    (("NOERROR", ("172.18.0.2",), _DOCKER_DNS, ""),
     "le DNS de Docker (127.0.0.11) a répondu 172.18.0.2",
     "Docker's DNS (127.0.0.11) answered 172.18.0.2"),
    (("NOERROR", (), _DOCKER_DNS, ""),
     "le DNS de Docker (127.0.0.11) a répondu sans adresse (NOERROR)",
     "Docker's DNS (127.0.0.11) answered with no address (NOERROR)"),
    (("NXDOMAIN", (), _DOCKER_DNS, ""),
     "le DNS de Docker (127.0.0.11) ne connaît pas ce nom (NXDOMAIN)",
     "Docker's DNS (127.0.0.11) does not know this name (NXDOMAIN)"),
    (("TIMEOUT", (), _DOCKER_DNS, "no answer"),
     "le DNS de Docker (127.0.0.11) n'a pas répondu (TIMEOUT)",
     "Docker's DNS (127.0.0.11) did not answer (TIMEOUT)"),
    (("SERVFAIL", (), "10.0.0.53", ""),
     "le serveur DNS 10.0.0.53 a répondu par une erreur (SERVFAIL)",
     "the DNS server 10.0.0.53 answered with an error (SERVFAIL)"),
    (("ERROR", (), _DOCKER_DNS, "sendto: network unreachable"),
     ("le DNS de Docker (127.0.0.11) n'a pas pu être interrogé (ERROR : sendto: network "
      "unreachable)"),
     "Docker's DNS (127.0.0.11) could not be asked (ERROR: sendto: network unreachable)"),
]


@pytest.mark.parametrize(("answer", "fr", "en"), DNS_ANSWERS)
def test_a_dns_answer_says_what_happened_in_plain_words(
        answer: tuple[str, tuple[str, ...], str, str], fr: str, en: str) -> None:
    from fixtures.inspect.rules import dns_text
    from fixtures.probes import DnsAnswer

    found = DnsAnswer(*answer)
    assert (found.said().text("fr"), found.said().text("en")) == (fr, en)
    assert dns_text(found) == found.said()  # inspect mode says it the same way
    for lang, text in (("fr", fr), ("en", en)):
        assert bare_jargon(text) == [] and foreign_words(text, lang) == []


def test_a_failed_dns_check_reads_as_a_sentence() -> None:
    from fixtures.probes import DnsAnswer
    from grading.messages import says

    answer = DnsAnswer("NXDOMAIN", (), _DOCKER_DNS).said()
    shown = says("inspect.dns_redis_other", app="moby-counter", answer=answer,
                 expected="172.18.0.3", redis="redis", network="moby-counter")
    assert shown.text("fr") == (
        "depuis moby-counter, redis devait se résoudre en 172.18.0.3 seulement (l'adresse de "
        "redis sur moby-counter), mais le DNS de Docker (127.0.0.11) ne connaît pas ce nom "
        "(NXDOMAIN)")


@pytest.mark.parametrize(("text", "codes"), [
    ("NOERROR de 127.0.0.11 : aucune adresse", ["NOERROR"]),
    ("trouvé : NXDOMAIN from 127.0.0.11", ["NXDOMAIN"]),
    ("le DNS de Docker (127.0.0.11) ne connaît pas ce nom (NXDOMAIN)", []),
    ("`dig +short redis` answers NOERROR", ["NOERROR"]),
    ("`nslookup redis` gives `NXDOMAIN`", []),
])
def test_the_jargon_detector(text: str, codes: list[str]) -> None:
    assert bare_jargon(text) == codes


def test_no_shipped_sentence_says_a_bare_dns_code() -> None:
    from grading.messages import default_messages

    found = [f"{key} [{lang}]: {text}" for key, entry in default_messages().items()
             for lang, text in entry.items() if bare_jargon(text)]
    assert found == []


# -- an engine's address, as the doctor and the engine errors name it -----------------------

ENDPOINTS = [
    (("ssh://nobody@127.0.0.1:1", "ssh", None, "DOCKER_HOST"),
     "ssh://nobody@127.0.0.1:1 (ssh, DOCKER_HOST)", "ssh://nobody@127.0.0.1:1 (ssh, DOCKER_HOST)"),
    (("tcp://10.9.9.9:2376", "tls", "lab", "DOCKER_CONTEXT"),
     "tcp://10.9.9.9:2376 (tls, contexte lab)", "tcp://10.9.9.9:2376 (tls, context lab)"),
    (("unix:///home/s/.colima/docker.sock", "unix", "colima", "currentContext"),
     "unix:///home/s/.colima/docker.sock (contexte colima)",
     "unix:///home/s/.colima/docker.sock (context colima)"),
    (("unix:///var/run/docker.sock", "unix", None, "default"),
     "unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
]


@pytest.mark.parametrize(("where", "fr", "en"), ENDPOINTS)
def test_an_endpoint_is_named_in_the_run_language(
        where: tuple[str, str, str | None, str], fr: str, en: str) -> None:
    from fixtures.doctor import endpoint_findings
    from fixtures.transport import Endpoint, SshCommandError, explain_failure
    from grading.messages import default_messages, format_message

    url, transport, context_name, source = where
    endpoint = Endpoint(url, transport, context=context_name, source=source)
    said = {lang: format_message(endpoint.describe(), lang, default_messages())
            for lang in ("fr", "en")}
    assert said == {"fr": fr, "en": en}
    refused = SshCommandError("ssh: connect to host 127.0.0.1 port 1: Connection refused", 255)
    texts: dict[str, list[tuple[str, str]]] = {}
    for lang in ("fr", "en"):
        lines = [finding.text for finding in endpoint_findings(endpoint, lang)]
        lines.append(format_message(explain_failure(endpoint, refused), lang, default_messages()))
        texts[lang] = [(f"endpoint {url}", line) for line in lines]
    assert_no_leak(f"endpoint {url}", texts)


# -- usage errors (exit 4, one line) in the run's language ----------------------------------

USAGE_MISTAKES = [
    ["inspect", "bogus"],
    ["inspect"],
    ["provision", "--checkpoint=networks"],
    ["inspect", "networks", "--lab-images=zzz"],
    ["inspect", "networks", "--grade-report=foo"],
    ["inspect", "networks", "--grade-report=pdf:x.pdf"],
    ["inspect", "networks", "--grade-min=lots"],
    ["inspect", "networks", "--lab-mode=provision"],
    ["inspect", "networks", "--checkpoint", "volumes"],
    ["frobnicate"],
    ["class", "/nonexistent/roster.csv", "--checkpoint", "networks", "--out", "/nonexistent/o"],
    ["class", "roster.csv", "--checkpoint", "nope", "--out", "o"],
    ["class", "roster.csv", "--out", "o"],
    ["gradebook", "somewhere"],
]


@pytest.mark.parametrize("args", USAGE_MISTAKES, ids=" ".join)
def test_a_usage_error_is_one_line_in_the_run_language(args: list[str]) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTEST_"))}
    env["DOCKER_HOST"] = "tcp://127.0.0.1:1"  # nothing is contacted: an unreachable engine
    texts: dict[str, list[tuple[str, str]]] = {}
    for lang in ("fr", "en"):
        env["LANG"] = "C.UTF-8"  # the locale says nothing: French, unless --lang en
        done = subprocess.run([sys.executable, "-m", "grading.cli", *args, "--lang", lang],
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        assert done.returncode == 4 and len(lines) == 1, lines
        assert lines[0].startswith(("mobygrade: ", "ERROR: ")), lines
        texts[lang] = [(" ".join(args), lines[0].split(": ", 1)[1])]
    assert texts["fr"] != texts["en"], texts
    assert_no_leak(" ".join(args), texts)


# -- French typography: elision, spaces before ; and :, objects in words ------------------

_VOWEL_VALUES = ("Alice Martin (alice)", "app2", "eve", "Émile", "ubuntu-vm")


def test_de_before_a_vowel_is_elided() -> None:
    from grading.messages import says

    assert says("class.pattern_alt", who="Alice", n=3).text("fr") == "Motif chez Alice : 3 baleine(s)"
    assert says("class.report_of", kind="HTML", who="alice").text("fr") == "rapport HTML d'alice"
    assert says("class.report_of", kind="HTML", who="bob").text("fr") == "rapport HTML de bob"
    assert says("inspect.probe_failed", what="interroger redis", detail="x").text("fr") == \
        "impossible d'interroger redis : x"
    assert says("class.report_of", kind="HTML", who="8lice").text("fr").endswith("de 8lice")


def test_no_french_sentence_says_de_before_a_vowel() -> None:
    """Every ``de {value}`` of the catalog, given a value that starts with a vowel."""
    import re
    import string

    from grading.messages import default_messages, format_message, says

    found = []
    for key, entry in default_messages().items():
        fields = {name for _, name, _, _ in string.Formatter().parse(entry["fr"]) if name}
        for value in _VOWEL_VALUES:
            shown = format_message(says(key, **dict.fromkeys(fields, value)), "fr",
                                   default_messages())
            if re.search(rf"\b[Dd]e {re.escape(value)}", shown):
                found.append(f"[{key}] {shown}")
    assert found == []


def _french_pages() -> list[tuple[str, str]]:
    """(where, readable text) of the French HTML report (both samples) and class page."""
    from grading.classrun.index import render_index
    from grading.render.html import render_html
    from selftest.html_samples import broken_report, correct_report
    from selftest.test_class_pure import Entry, check_page, report, rows
    from selftest.test_render_html import Page

    out = [(f"html {which.__name__}", Page(render_html(which("fr"))).readable())
           for which in (correct_report, broken_report)]
    entries = [Entry(r, report(lang="fr") if r.outcome.counted else None, r.outcome.counted,
                     r.outcome.counted) for r in rows()]
    page = render_index(entries, lab="docker-3-reseaux-volumes", checkpoint="networks", lang="fr")
    out.append(("class index", " ".join(check_page(page, ["alice", "bob", "carol"]).text)))
    return out


def test_french_pages_put_a_space_before_semicolons_and_colons() -> None:
    import re

    pages = _french_pages()
    assert "en marche ; réseau" in pages[0][1]  # the topology as a list
    for where, readable in pages:
        # a letter glued to « ; » or « : » then a space: « en marche; réseau », « ports: 80 »
        # (« redis:alpine », « ssh://... », « 14:00 » have no space after: data, not prose;
        # the handout's own sentences are quoted as written: « application: vous »)
        prose = re.sub(r"«[^»]*»", "«»", readable)
        glued = re.findall(r"\w{2,}[;:] \S+", prose)
        glued = [g for g in glued if not g.startswith(("ERROR", "ssh", "sendto"))]
        assert glued == [], f"{where}: {glued}"


def test_french_prose_names_objects_in_words() -> None:
    import re

    from grading.messages import objects_said, says

    ids = ["container:redis2", "container:moby-counter2", "network:moby-counter2",
           "volume:redis_data", "mount:redis2:/data"]
    shown = says("inspect.fact_evidence_present", found=objects_said(ids)).text("fr")
    assert shown == ("le TP a été fait sur ce moteur : il y reste les conteneurs redis2 et "
                     "moby-counter2 ; le réseau moby-counter2 ; le volume redis_data ; le "
                     "montage redis2:/data")
    assert says("class.topo_bad", n=1, objs=objects_said(["network:moby-counter2"])).text(
        "fr") == "1 objet(s) en cause : le réseau moby-counter2"
    kind_name = re.compile(r"\b(?:container|network|volume|mount):[\w-]")
    for where, readable in _french_pages():
        assert not kind_name.search(readable), f"{where}: {kind_name.findall(readable)}"
