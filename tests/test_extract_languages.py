"""What European news sites put around an article, in German, French, Spanish, Italian,
Dutch, Polish and Portuguese (issue #14): one small hand-written page per language.

Each page holds a short story and the furniture such sites carry around it: an ad label
between paragraphs, share and follow calls, related-link headings over other headlines,
subscribe and paywall prompts, picture credits, a tag line, a reprint notice and readers'
comments. The story also has sentences that open with a word that is furniture on a line of
its own ("Anzeige gegen …", "Partager les frais …", "Reacties van bewoners …"): they stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from test_extract_families import _body_paragraphs, _page, _paras


@dataclass
class Furnished:
    story: list[str]  # the article; its second paragraph and on open with ambiguous words
    ad: str  # the ad label set between the story's paragraphs
    tail: str  # the furniture after it, the readers' comments last


def _headlines(*titles: str) -> str:
    """Other stories' headlines, unlinked, as a related-links box lists them."""
    return _paras(list(titles))


PAGES = {
    "de": Furnished(
        story=[
            "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss ab April "
            "für zwölf Millionen Euro zu sanieren.",
            "Anzeige gegen die Baufirma hatte die Stadt schon im Herbst erstattet, weil sie "
            "Fristen nicht eingehalten hatte.",
            "Teilen wollen sich Land und Stadt die Kosten je zur Hälfte, sagte der Bürgermeister.",
            "Werbung für die Umleitung soll es auf Plakaten in allen Stadtteilen geben.",
            "Kommentare aus der Opposition fielen verhalten aus, nur eine Fraktion war dagegen.",
            "Zum Thema Lärm sagte er, nachts werde auf der Baustelle nicht gearbeitet.",
            "Auch interessant ist, dass die Brücke vor hundert Jahren gebaut wurde.",
            "Weitere Meldungen über Schäden an der Brücke gab es bisher nicht.",
        ],
        ad="<div>Anzeige</div><p>Werbung</p>",
        tail=(
            "<p>Artikel teilen</p><div>Teilen</div><p>Folgen Sie uns auf Instagram</p>"
            "<h3>Das könnte Sie auch interessieren</h3>"
            + _headlines("Neue Radwege in der Innenstadt", "Busse fahren wieder nach Plan")
            + "<h3>Mehr aus Musterstadt</h3>"
            + _headlines("Schwimmbad öffnet im Mai", "Stadtfest mit neuem Programm")
            + "<h4>Zum Thema</h4>"
            + _headlines("Wie marode sind unsere Brücken", "Der Streit um die Umleitung")
            + "<p>Foto: Max Muster / Agentur</p><p>Quelle: Agentur, eigene Recherche</p>"
            "<p>Themen: Verkehr, Brücken, Stadtrat</p><p>Stand: 05.12.2023, 14:35 Uhr</p>"
            "<p>Jetzt weiterlesen mit Plus</p><p>Mit Plus lesen</p>"
            "<p>Stadtanzeiger Verlag 2024. Alle Rechte vorbehalten. Nachdruck nur mit "
            "Genehmigung.</p>"
            "<h3>Kommentare (2)</h3>"
            "<p>Anna: Endlich passiert etwas, die Brücke war seit Jahren in einem schlimmen "
            "Zustand und gefährlich für alle, die sie jeden Tag benutzen müssen.</p>"
            "<p>Peter: Zwölf Millionen sind viel Geld, das hätte man besser in die Schulen der "
            "Stadt gesteckt, finde ich jedenfalls.</p>"
        ),
    ),
    "fr": Furnished(
        story=[
            "Le conseil municipal a voté mardi la rénovation du vieux pont sur la rivière, pour "
            "un coût de douze millions d'euros.",
            "Partager les frais avec la région reste l'objectif du maire, qui a rencontré le "
            "président du conseil régional.",
            "Publicité mensongère : l'opposition accuse la mairie d'avoir sous-estimé la durée "
            "des travaux.",
            "Commentaires et questions des habitants seront recueillis lors d'une réunion "
            "publique en janvier.",
            "Réagir vite était indispensable, a expliqué l'adjoint chargé des travaux.",
        ],
        ad="<div>Publicité</div>",
        tail=(
            "<p>Partager sur Facebook</p><div>Partager</div><p>Suivez-nous sur Instagram</p>"
            "<h3>À lire aussi</h3>"
            + _headlines("De nouvelles pistes cyclables en centre-ville", "Le bus de nuit revient")
            + "<h3>Sur le même sujet</h3>"
            + _headlines("Nos ponts sont-ils en danger", "La déviation fait débat")
            + "<p>Abonnez-vous pour recevoir nos alertes</p>"
            "<p>Crédit photo : Jean Dupont / Agence</p><p>Source : Agence</p>"
            "<p>Mots-clés : pont, travaux, mairie</p><p>Article réservé aux abonnés</p>"
            "<p>Le Journal de la Ville 2024. Tous droits réservés. Reproduction interdite.</p>"
            "<h3>Commentaires (2)</h3>"
            "<p>Marie : Enfin, ce pont était dangereux depuis des années pour tous ceux qui "
            "le traversent chaque jour à vélo ou à pied.</p>"
            "<p>Paul : Douze millions, c'est beaucoup d'argent, on aurait pu rénover les écoles "
            "de la ville avec cette somme.</p>"
        ),
    ),
    "es": Furnished(
        story=[
            "El ayuntamiento aprobó el martes la reforma del viejo puente sobre el río, que "
            "costará doce millones de euros.",
            "Compartir los gastos con el Gobierno regional es la intención del alcalde, según "
            "fuentes municipales.",
            "Publicidad institucional sobre los desvíos se colocará en todas las paradas de "
            "autobús.",
            "Comentarios críticos llegaron desde la oposición, que pide un calendario de obras.",
            "Más información sobre los desvíos se publicará la próxima semana en la web.",
            "Suscribirse a los avisos de tráfico del ayuntamiento es gratuito.",
            "Te recomendamos paciencia, dijo el alcalde a los vecinos del barrio.",
        ],
        ad="<div>Publicidad</div>",
        tail=(
            "<p>Compartir en Facebook</p><div>Compartir</div><p>Síguenos en Instagram</p>"
            "<h3>Te puede interesar</h3>"
            + _headlines("Nuevos carriles bici en el centro", "Vuelve el autobús nocturno")
            + "<h3>Noticias relacionadas</h3>"
            + _headlines("El estado de nuestros puentes", "Polémica por los desvíos")
            + "<p>Suscríbete y recibe las alertas de la ciudad</p>"
            "<p>Foto: Juan García / Agencia</p><p>Fuente: Agencia</p>"
            "<p>Etiquetas: puente, obras, ayuntamiento</p>"
            "<p>Contenido exclusivo para suscriptores</p>"
            "<p>Diario de la Ciudad 2024. Todos los derechos reservados.</p>"
            "<h3>Comentarios (2)</h3>"
            "<p>Lucía: Por fin, el puente llevaba años en mal estado y era peligroso para "
            "todos los que lo cruzamos cada día.</p>"
            "<p>Pedro: Doce millones es mucho dinero, se podrían haber reformado los colegios "
            "de la ciudad con esa cantidad.</p>"
        ),
    ),
    "it": Furnished(
        story=[
            "Il consiglio comunale ha approvato martedì il restauro del vecchio ponte sul "
            "fiume, che costerà dodici milioni di euro.",
            "Pubblicità per i percorsi alternativi sarà affissa alle fermate degli autobus.",
            "Commenti positivi sono arrivati anche dall'opposizione, che chiede tempi certi.",
            "Abbonati e pendolari avranno corse in più durante la chiusura notturna.",
        ],
        ad="<div>Pubblicità</div>",
        tail=(
            "<p>Condividi su Facebook</p><p>Seguici su Instagram</p>"
            "<h3>Leggi anche</h3>"
            + _headlines("Nuove piste ciclabili in centro", "Torna il bus notturno")
            + "<h3>Potrebbe interessarti</h3>"
            + _headlines("Lo stato dei nostri ponti", "Polemica sui percorsi alternativi")
            + "<p>Iscriviti al nostro canale per gli aggiornamenti</p>"
            "<p>Foto: Mario Rossi / Agenzia</p><p>Fonte: Agenzia</p>"
            "<p>Argomenti: ponte, lavori, comune</p>"
            "<p>Contenuto riservato agli abbonati</p>"
            "<p>Giornale della Città 2024. Tutti i diritti riservati.</p>"
            "<h3>Commenti (2)</h3>"
            "<p>Giulia: Finalmente, il ponte era pericoloso da anni per tutti quelli che lo "
            "attraversano ogni giorno in bicicletta.</p>"
            "<p>Marco: Dodici milioni sono tanti soldi, si potevano sistemare le scuole della "
            "città con quella somma.</p>"
        ),
    ),
    "nl": Furnished(
        story=[
            "De gemeenteraad heeft dinsdag besloten de oude brug over de rivier voor twaalf "
            "miljoen euro op te knappen.",
            "Delen van de binnenstad blijven tijdens de werkzaamheden alleen bereikbaar voor "
            "fietsers.",
            "Reacties van bewoners waren overwegend positief, al vrezen winkeliers minder klanten.",
            "Meer over de planning wilde de wethouder nog niet zeggen.",
            "Ook interessant is dat de brug precies honderd jaar geleden werd gebouwd.",
            "Meld je aan bij de gemeente als je schade aan je huis ziet, zei de wethouder.",
        ],
        ad="<div>Advertentie</div>",
        tail=(
            "<p>Deel dit artikel</p><div>Delen</div><p>Volg ons op Instagram</p>"
            "<h3>Lees ook</h3>"
            + _headlines("Nieuwe fietspaden in het centrum", "De nachtbus rijdt weer")
            + "<h3>Meer over Verkeer</h3>"
            + _headlines("Hoe staat het met onze bruggen", "Ophef over de omleiding")
            + "<p>Meld je aan</p>"
            "<p>Foto: Jan Jansen / Persbureau</p><p>Bron: Persbureau</p>"
            "<p>Onderwerpen: brug, verkeer, gemeente</p><p>Alleen voor abonnees</p>"
            "<p>Dagblad van de Stad 2024. Alle rechten voorbehouden.</p>"
            "<h3>Reacties (2)</h3>"
            "<p>Anouk: Eindelijk, de brug was al jaren gevaarlijk voor iedereen die er elke "
            "dag met de fiets overheen moet.</p>"
            "<p>Pieter: Twaalf miljoen is veel geld, daarmee hadden de scholen in de stad "
            "opgeknapt kunnen worden.</p>"
        ),
    ),
    "pl": Furnished(
        story=[
            "Rada miasta zdecydowała we wtorek o remoncie starego mostu na rzece, który ma "
            "kosztować dwanaście milionów złotych.",
            "Reklama objazdów pojawi się na wszystkich przystankach autobusowych w mieście.",
            "Polecamy kierowcom korzystanie z obwodnicy, powiedział rzecznik ratusza.",
            "Komentarze opozycji były krytyczne, radni pytali o harmonogram prac.",
        ],
        ad="<div>Reklama</div>",
        tail=(
            "<p>Udostępnij na Facebooku</p><p>Obserwuj nas na Instagramie</p>"
            "<h3>Czytaj także</h3>"
            + _headlines("Nowe ścieżki rowerowe w centrum", "Wraca nocny autobus")
            + "<h3>Zobacz też</h3>"
            + _headlines("W jakim stanie są nasze mosty", "Spór o objazdy")
            + "<p>Zapisz się</p>"
            "<p>Fot. Jan Kowalski / Agencja</p><p>Źródło: Agencja</p>"
            "<p>Tagi: most, remont, ratusz</p><p>Tylko dla subskrybentów</p>"
            "<p>Gazeta Miejska 2024. Wszelkie prawa zastrzeżone.</p>"
            "<h3>Komentarze (2)</h3>"
            "<p>Anna: Nareszcie, most od lat był niebezpieczny dla wszystkich, którzy "
            "codziennie przez niego przejeżdżają rowerem.</p>"
            "<p>Piotr: Dwanaście milionów to dużo pieniędzy, można było za to wyremontować "
            "szkoły w mieście.</p>"
        ),
    ),
    "pt": Furnished(
        story=[
            "A câmara municipal aprovou na terça-feira a reforma da velha ponte sobre o rio, "
            "que vai custar doze milhões de euros.",
            "Compartilhar os custos com o governo estadual é o objetivo do prefeito.",
            "Publicidade sobre os desvios será colocada em todos os pontos de ônibus da cidade.",
            "Comentários da oposição foram críticos, e os vereadores pediram um cronograma.",
            "Você pode gostar ou não do projeto, mas a ponte precisa de reforma, disse ele.",
            "Assine o abaixo-assinado quem quiser a obra mais rápida, pediu um morador.",
        ],
        ad="<div>Publicidade</div>",
        tail=(
            "<p>Compartilhe no Facebook</p><div>Compartilhar</div><p>Siga-nos no Instagram</p>"
            "<h3>Leia também</h3>"
            + _headlines("Novas ciclovias no centro", "O ônibus noturno está de volta")
            + "<h3>Veja também</h3>"
            + _headlines("O estado das nossas pontes", "Polêmica sobre os desvios")
            + "<p>Assine já e receba os alertas da cidade</p>"
            "<p>Foto: João Silva / Agência</p><p>Fonte: Agência</p>"
            "<p>Tópicos: ponte, obras, prefeitura</p>"
            "<p>Conteúdo exclusivo para assinantes</p>"
            "<p>Jornal da Cidade 2024. Todos os direitos reservados.</p>"
            "<h3>Comentários (2)</h3>"
            "<p>Ana: Finalmente, a ponte era perigosa havia anos para todos que a atravessam "
            "todos os dias de bicicleta.</p>"
            "<p>Pedro: Doze milhões é muito dinheiro, dava para reformar as escolas da cidade "
            "com essa quantia.</p>"
        ),
    ),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_european_news_page_gives_its_story_whole_and_without_its_furniture(page: Furnished):
    article = f"<article>{_paras(page.story[:2])}{page.ad}{_paras(page.story[2:])}{page.tail}"
    assert _body_paragraphs(_page(article + "</article>")) == page.story


DATELINES = [
    "05.12.2023, 14:35 Uhr",
    "Dienstag, 05.12.2023 um 14:35 Uhr",
    "Mardi 5 décembre 2023 à 14h35",
    "05/12/2023 ore 14:35",
    "5 grudnia 2023, 14:35",
    "terça-feira, 05/12/2023 às 14h35",
    # The month in words, as each language writes it: "5." and "de" before it, the year's
    # "r.", a weekday before, a time after ("Uhr", "h", "à", "alle ore", "a las", "om").
    "5. Dezember 2023",
    "Dienstag, 5. Dezember 2023, 14:35 Uhr",
    "le 5 décembre 2023 à 14h35",
    "5 de diciembre de 2023",
    "martes, 5 de diciembre de 2023 - 14:35",
    "5 de diciembre de 2023 a las 14:35 h",
    "5 dicembre 2023",
    "martedì 5 dicembre 2023 alle ore 14:35",
    "dinsdag 5 december 2023 om 14:35",
    "5 grudnia 2023 r.",
    "wtorek, 5 grudnia 2023 r., godz. 14:35",
    "5 de dezembro de 2023",
]


@pytest.mark.parametrize("place", ["opening", "closing"])
@pytest.mark.parametrize("dateline", DATELINES)
def test_a_dateline_in_a_european_format_is_dropped_but_a_sentence_with_a_date_stays(
    dateline: str, place: str
):
    story = [
        *PAGES["de"].story,
        "Am 5. Dezember 2023 um 14:35 Uhr wurde die Brücke gesperrt, sagte die Polizei.",
        "Am 5. Dezember 2023 beschloss der Rat …",
    ]
    text = _paras(story)
    article = f"<p>{dateline}</p>{text}" if place == "opening" else f"{text}<p>{dateline}</p>"
    assert _body_paragraphs(_page(f"<article>{article}</article>")) == story


def test_a_ticker_stamped_today_or_yesterday_after_a_story_is_dropped():
    story = PAGES["de"].story
    ticker = [
        "Heute, 14:35 Neue Radwege in der Innenstadt geplant",
        "Heute um 11:02 Schwimmbad öffnet im Mai wieder",
        "Gestern, 18:40 Stadtfest mit neuem Programm",
        "Hier à 9h10 Le bus de nuit revient dans le centre",
    ]
    page = _page(f"<article>{_paras(story)}{_paras(ticker)}</article>")
    assert _body_paragraphs(page) == story


@pytest.mark.parametrize(
    "counter", ["Bild 1 von 5", "Photo 2 sur 8", "Foto 3 di 10", "Zdjęcie 1 z 4"]
)
def test_a_gallery_counter_in_a_european_language_is_dropped(counter: str):
    story = PAGES["de"].story
    page = _page(f"<article><p>{counter}</p>{_paras(story)}</article>")
    assert _body_paragraphs(page) == story
