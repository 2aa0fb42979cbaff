"""Spanish (Spain and Latin America), folded: the concepts' words and misspellings read by sound."""

from __future__ import annotations

from typing import Final

from loyal_companion.safety.rules import Language

SPANISH: Final = Language(
    "es",
    macros={
        # Grief (bench part "grief"): someone else as a subject, joining the one who died, nothing
        # keeping them here, taking every pill tonight.
        "THEY": "(el|ella|ellos|(mi|su|nuestra|nuestro) (madre|padre|mama|papa|abuela|abuelo|marido|esposo|esposa|mujer|hijo|hija|hermano|hermana|tia|tio|amigo|amiga))",
        "JOIN": "(irme con|estar con|reunirme con|ir con|volver a estar con)",
        "LOVED": "(el|ella|ellos|mi (madre|padre|mama|papa|abuela|abuelo|marido|esposo|esposa|mujer|hijo|hija|hermano|hermana|nino|nina|amor))",
        "AWAY": "(viaje|vacaciones|gira)",
        "GONEMARK": "(ya no aguanto|sin (el|ella)|donde (este|esta)|en el cielo|alla arriba|se fue|murio|muerto|muerta)",
        "GIVEUP": "(ya no|no) quiero seguir $|no veo salida ~4 (quiero|voy a) (desaparecer|irme|morir)",
        "NOTHINGHERE": "nada me (retiene|queda) aqui|no hay nada para mi aqui|no me queda nada aqui",
        "TAKE": "(tomo|tomar|tomarme|me tomo|trago|tragar|tragarme)",
        "ALLOF": "(todas|todos|todas las|todos los|un punado de|la caja entera de)",
        "TONIGHT": "(esta noche|hoy|ahora|de una vez|de golpe)",
        "WANT": "(quiero|queria|quisiera|quisieras|ojala|tengo ganas de|ganas de|me dan ganas de|deseo|necesito|"
        "voy a|pienso|quiere)",
        "GOING": "(voy a|me voy a|estoy por)",
        "DIE": "(morirme|morir|morime|estar muerta|estar muerto|dejar de existir|desaparecer del mapa|matarme|"
        "suicidarme)",
        "KILLSELF": "(me mato|me voy a matar|me quiero matar|me matare|me suicido|me voy a suicidar|"
        "quitarme la vida|me quito la vida|me quitare la vida)",
        "NEG": "(no|ya no|nunca)",
        "LIVE": "(vivir|seguir viviendo|existir|estar aqui|despertar|despertarme|seguir aqui|estar viva|"
        "estar vivo)",
        "TIRED": "(cansada|cansado|harta|harto|agotada|agotado|hasta la madre)",
        "NOSTRENGTH": "(no tengo|sin|ya no tengo|no me quedan) (fuerzas|ganas|energia)",
        "LIFE": "(vivir|la vida|existir|estar viva|estar vivo|esta vida|mi vida|viviendo|seguir viviendo|seguir)",
        "END": "(poner fin|acabar|terminar|acabo|termino|pongo fin)",
        "MYLIFE": "(a mi vida|con mi vida|mi vida|con todo de una vez|con todo ya)",
        "NOSENSE": "(sin sentido|no tiene sentido|no le veo sentido|no veo sentido|no hay razon|para que seguir)",
        "BETTEROFF": "(mejor|mejores|estarian mejor|felices)",
        "WITHOUTME": "(sin mi|si no estuviera|si me muero|si yo no estuviera)",
        "GAVE": "(regale|regalado|regalando|di|he dado|doy|repartido|reparti)",
        "MYTHINGS": "(mis cosas|todas mis cosas|lo que tengo|mis pertenencias)",
        "SLEEP": "(dormir|dormirme|quedarme dormida|quedarme dormido)",
        "NEVERWAKE": "((no|nunca) (despertar|despertarme|volver a despertar)|no despertar nunca)",
        "FOREVER": "(para siempre|nunca mas volver|no volver nunca|no volver jamas)",
        "DISAPPEAR": "(desaparecer|irme|ir|desaparezco)",
        "GOODBYE": "(cartas|carta) de despedida|(esta es|es) mi despedida|(irme|ir) de este mundo",
        "BURDEN": "soy (una carga|un estorbo) ~3 (para todos|para mi familia|para ellos)?",
        "GONE_TOMORROW": "(manana|despues de esta noche) ~3 (no|ya no) (voy a estar|estare) ~2 (aqui|mas)|"
        "nadie me va a (echar de menos|extranar)",
        "THINK": "(pienso|pensando|pense|he pensado|pensar) en",
        "SUICIDENOUN": "(el suicidio|suicidarme|matarme|morirme|quitarme la vida|tirarme)",
        "SUICIDALTHOUGHTS": "(pensamientos|ideas) suicidas",
        "IMSUICIDAL": "(estoy|me siento) (suicida)",
        "STOCKPILE": "(juntando|juntar|guardando|acumulando|acumular|he estado juntando|tengo guardadas)",
        "PILLS": "(pastillas|pastilla|comprimidos|medicamentos|pildoras|paracetamol)",
        "HOWMANY": "(cuantas|cuanta|cuantos)",
        "LETHAL": "dosis ~3 (mortal|letal)|(forma|manera) ~2 (indolora|rapida|facil) de (morir|matarme)",
        "JUMP": "(tirarme|tirar|tiro|lanzarme|aventarme|arrojarme)",
        "DANGER": "(puente|azotea|edificio|tren|vias|ventana|balcon|coches|metro)",
        "SHVERB": "(corte|corto|cortar|cortarme|cortando|queme|quemo|quemar|quemarme|golpeo|golpee|golpear|"
        "golpearme|rasguno|rasgune|rasgunar|muerdo|morder|arano|arane|hago dano|hice dano|hacerme dano|"
        "lastimo|lastime|lastimarme)",
        "SELF": "(me|a mi misma|a mi mismo)",
        "SHQ": "(otra vez|de nuevo|a proposito|aposta|para sentir|cuando|hasta sangrar|hasta hacerme sangre|"
        "me lo merezco|volvi a|vuelvo a|sigo)",
        "SHBODY": "(los brazos|el brazo|las munecas|la muneca|las piernas|los muslos|la piel)",
        "SHNOUN": "(autolesion*|me autolesiono)",
        "URGE": "(ganas de|necesito|quiero)",
        "HARMINTENT": "(voy a|quiero|pienso|lo voy a|la voy a|le voy a|los voy a|juro que)",
        "HARMVERB": "(matar|matarlo|matarla|matarlos|apunalar|apunalarlo|apunalarla|clavar ~3 cuchillo|"
        "disparar|dispararle|hacerle dano|hacerles dano|lastimar|lastimarlo|reventar|golpear)",
        "OTHER": "(a|al) ~2 (padrastro|padre|madre|jefe|jefa|hermano|hermana|novio|novia|ex|profesor|profe|"
        "vecino|vecina|companero|tipo|tio|cabron|todos)|(lo|la|le|los|las)|(a el|a ella|a ellos)",
        "WISHDEAD": "ojala (estuviera|estuviese) (muerta|muerto)|ojala (me muriera|me muera|no despertara)",
        "STOPALL": "(que|quiero que) (todo|esto|el dolor) (termine|acabe|se acabe|pare)",
        "JUMPNOW": "(me tiro|me lanzo|me aviento)",
        "SWIM": "(agua|nadar|piscina|rio|mar|playa|verano)",
        "HARMCLITIC": "(hacerle|hacerles) dano|(matarlo|matarla|matarlos|apunalarlo|apunalarla|lastimarlo)",
        "HARMNOW": "(mato|matare|apunalo|apunalare|reviento)",
        "WEAPON": "(cuchillo|pistola|arma|navaja|escopeta)",
        "KNOWWHERE": "(se donde (vive|trabaja|duerme))",
        "SCHOOLWORK": "(instituto|escuela|colegio|trabajo|clase|oficina|facultad)",
        "FORTHEM": "(para (ellos|el|ella|esos|esas))",
        "LAUGH": "(de risa|riendo|carcajada)",
        "EMBARRASS": "(verguenza|aburrimiento|sueno)",
        "GAME": "(juego|videojuego|jefe final|partida|personaje|nivel)",
        "ACCIDENT": "(cocina|cocinando|cocinar|cebolla|sarten|plancha|horno|pan|abrelatas|torpe|sin querer|"
        "accidente|afeitar|papel|no es nada|picando|cuchillo de cocina|olla)",
        "NEWS": "(prevencion|documental|articulo|noticia|noticias|libro|pelicula|serie|estadisticas|tasa)",
        "PLACE": "(en|con|cerca)",
        "BUSY": "(ocupada|ocupado|trabajo|vacaciones|reunion|rutina|estres)",
        "OLD": "(vieja|viejas|viejo|viejos|caridad|parroquia|iglesia|donar|done)",
        "WORKIDIOM": "(trabajando|estudiando|de risa|en el gym|en el gimnasio)",
    },
    fuzzy=("suicidio", "suicidarme", "suicidas", "morirme", "matarme", "cortarme"),
    sounds=("quiero", "vivir", "matar", "morir", "cortar", "hacerle", "quitarme", "quisiera"),
    fillers=(
        "realmente",
        "neta",
        "la",
        "solo",
        "simplemente",
        "literalmente",
        "honestamente",
        "sinceramente",
        "bueno",
        "pues",
        "como",
        "serio",
        "verdad",
        "weon",
        "wey",
        "guey",
        "tipo",
        "ya",
        "mas",
        "todo",
        "tanto",
        "mucho",
        "muchas",
    ),  # fmt: skip
    negations=frozenset({"no", "nunca", "jamas", "ni", "tampoco"}),
    shorthand={"q": "que", "k": "que", "xq": "porque", "pq": "porque", "tb": "tambien", "kiero": "quiero"},
)
