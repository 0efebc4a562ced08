"""What the demo catalogue holds: facilities, instruments, people, and per-instrument recipes.

Facilities, instruments and organisations are real (with their real ROR ids); people,
proposals and datasets are fictional. People's ORCID iDs lie in 0000-0000-xxxx-xxxx, a block
ORCID never issues, so no real person is named; Josiah Carberry is ORCID's own test person.
"""

PANET = "http://purl.org/pan-science/PaNET/"

FACILITIES = [
    dict(code="petra3", name="PETRA III at DESY", short_name="DESY PETRA III",
         ror="https://ror.org/01js2sh04", url="https://www.desy.de/",
         description="High-brilliance storage-ring X-ray source in Hamburg."),
    dict(code="esrf", name="European Synchrotron Radiation Facility", short_name="ESRF",
         ror="https://ror.org/02550n020", url="https://www.esrf.fr/",
         description="Fourth-generation Extremely Brilliant Source in Grenoble."),
    dict(code="ill", name="Institut Laue-Langevin", short_name="ILL",
         ror="https://ror.org/01xtjs520", url="https://www.ill.eu/",
         description="High-flux research reactor neutron source in Grenoble."),
    dict(code="isis", name="ISIS Neutron and Muon Source", short_name="ISIS",
         ror="https://ror.org/057g20z61", url="https://www.isis.stfc.ac.uk/",
         description="Pulsed spallation neutron and muon source at STFC Rutherford Appleton "
                     "Laboratory."),
]  # fmt: skip

AFFILIATIONS = [
    ("University of Hamburg", "https://ror.org/00g30e956"),
    ("Université Grenoble Alpes", "https://ror.org/02rx3b187"),
    ("University of Oxford", "https://ror.org/052gg0110"),
    ("Lund University", "https://ror.org/012a77v79"),
    ("Technical University of Munich", "https://ror.org/02kkvpp62"),
    ("University of Copenhagen", "https://ror.org/035b05819"),
    ("Uppsala University", "https://ror.org/048a87296"),
    ("ETH Zurich", "https://ror.org/05a28rw58"),
    ("University of Manchester", "https://ror.org/027m9bs27"),
]

PEOPLE = [
    ("Amara", "Okafor"), ("Lukas", "Brandt"), ("Sofia", "Marino"), ("Hiroshi", "Tanaka"),
    ("Ingrid", "Lindqvist"), ("Mateo", "García"), ("Priya", "Raman"), ("Jonas", "Keller"),
    ("Élodie", "Fournier"), ("Tomasz", "Nowak"), ("Leila", "Haddad"), ("Finn", "O'Connell"),
    ("Mei", "Chen"), ("Kwame", "Mensah"), ("Anna", "Sokolova"), ("Daniel", "Weber"),
    ("Chiara", "Bianchi"), ("Rasmus", "Nielsen"), ("Yuki", "Sato"), ("Olga", "Petrenko"),
    ("Samuel", "Adeyemi"), ("Clara", "Schmitt"), ("Arjun", "Mehta"), ("Nora", "Haugen"),
    ("Pablo", "Ruiz"), ("Emma", "Laurent"), ("Viktor", "Horváth"), ("Zainab", "Bello"),
]  # fmt: skip

FUNDERS = [
    ("European Research Council", "https://ror.org/0472cxd90", "ERC-2021-STG-1010", "ERC"),
    ("Deutsche Forschungsgemeinschaft", "https://ror.org/018mejw64", "SFB 925-B4", "DFG"),
    ("Swiss National Science Foundation", "https://ror.org/00yjd3n13", "200021_18", "SNSF"),
]

# Per instrument: techniques (PaNET ids), keyword pool, sample pool, title/abstract templates
# and a function-free scientific metadata recipe. Units deliberately vary between datasets
# (K/degC, eV/keV/meV, mm/m, bar/kPa/GPa) so that unit-aware search has work to do.
INSTRUMENTS = [
    dict(code="petra3-p11", facility="petra3", name="P11 Bio-Imaging and Diffraction",
         techniques=["PaNET01164"],
         keywords=["protein crystallography", "structural biology", "cryo-cooling",
                   "serial crystallography", "enzyme", "ligand binding"],
         samples=["thermolysin", "hen egg-white lysozyme", "proteinase K", "thaumatin",
                  "human insulin", "SARS-CoV-2 main protease", "photosystem II"],
         title="Macromolecular crystallography data of {sample} {variant}",
         variants=["at 100 K", "soaked with fragment library", "room-temperature serial data",
                   "in complex with inhibitor", "high-redundancy native SAD"],
         abstract="Rotation diffraction data of {sample} crystals collected at {instrument}. "
                  "{Variant} The data were integrated to {resolution} Å resolution and are "
                  "provided as raw detector images with the NeXus/NXmx master file.",
         recipe="mx"),
    dict(code="petra3-p10", facility="petra3", name="P10 Coherence Applications",
         techniques=["PaNET01205", "PaNET01188"],
         keywords=["XPCS", "dynamics", "colloids", "glass transition", "coherence"],
         samples=["silica colloids in glycerol", "polymer melt", "metallic glass ribbon",
                  "gold nanoparticle suspension", "hydrogel network"],
         title="X-ray photon correlation spectroscopy of {sample} {variant}",
         variants=["during ageing", "across the glass transition", "under shear",
                   "at varying concentration"],
         abstract="Speckle series recorded with coherent X-rays at {instrument} to follow the "
                  "dynamics of {sample}. {Variant} Correlation functions were computed with "
                  "multi-tau averaging.",
         recipe="xpcs"),
    dict(code="petra3-p21-2", facility="petra3", name="P21.2 Swedish Materials Science",
         techniques=["PaNET01216", "PaNET01181", "PaNET01190"],
         keywords=["high-energy X-rays", "pair distribution function", "in situ",
                   "battery materials", "high pressure"],
         samples=["LiNiO2 cathode", "amorphous silicon anode", "MOF-5 crystals",
                  "nanocrystalline ceria", "iron under compression"],
         title="High-energy total scattering of {sample} {variant}",
         variants=["during electrochemical cycling", "in a diamond anvil cell", "at variable "
                   "temperature", "after ball milling"],
         abstract="Total scattering data of {sample} measured with high-energy X-rays at "
                  "{instrument}. {Variant} Reduced pair distribution functions are included "
                  "alongside the raw 2D images.",
         recipe="pdf"),
    dict(code="esrf-id02", facility="esrf", name="ID02 Time-Resolved Ultra Small-Angle "
         "X-Ray Scattering", techniques=["PaNET01188"],
         keywords=["SAXS", "WAXS", "self-assembly", "soft matter", "calibration", "micelles"],
         samples=["silver behenate", "block copolymer micelles", "lipid nanoparticles",
                  "cellulose nanofibrils", "surfactant mesophases"],
         title="SAXS of {sample} {variant}",
         variants=["in a temperature ramp", "at rest and under flow", "as a function of pH",
                   "for detector calibration"],
         abstract="Small-angle X-ray scattering of {sample} recorded at {instrument}. "
                  "{Variant} Azimuthally averaged profiles accompany the detector frames.",
         recipe="saxs"),
    dict(code="esrf-id11", facility="esrf", name="ID11 Materials Science",
         techniques=["PaNET01216", "PaNET01151"],
         keywords=["3DXRD", "grain mapping", "tomography", "polycrystals", "metallurgy"],
         samples=["titanium alloy Ti-6Al-4V", "nickel superalloy", "additively manufactured "
                  "steel", "sandstone core", "aluminium foam"],
         title="3D grain mapping and tomography of {sample} {variant}",
         variants=["under tensile load", "after heat treatment", "during creep",
                   "as received"],
         abstract="Combined absorption tomography and far-field 3DXRD of {sample} at "
                  "{instrument}. {Variant} Projections and diffraction frames are provided.",
         recipe="tomo"),
    dict(code="esrf-bm23", facility="esrf", name="BM23 X-ray Absorption Spectroscopy",
         techniques=["PaNET01196"],
         keywords=["XAS", "EXAFS", "XANES", "catalysis", "oxidation state"],
         samples=["Fe-zeolite catalyst", "Cu-exchanged chabazite", "Pt nanoparticles on "
                  "alumina", "cobalt oxide spinel"],
         title="X-ray absorption spectra of {sample} {variant}",
         variants=["under reaction conditions", "during reduction in H2", "at high pressure",
                   "ex situ reference"],
         abstract="XANES and EXAFS spectra of {sample} measured at {instrument}. {Variant} "
                  "Normalised spectra and fits are provided with the raw scans.",
         recipe="xas"),
    dict(code="ill-d22", facility="ill", name="D22 Large Dynamic Range SANS",
         techniques=["PaNET01189"],
         keywords=["SANS", "contrast variation", "deuteration", "biological membranes",
                   "polymers"],
         samples=["deuterated lipid vesicles", "protein-detergent complexes",
                  "polymer-grafted nanoparticles", "microemulsions"],
         title="Small-angle neutron scattering of {sample} {variant}",
         variants=["with contrast variation", "in a magnetic field", "versus temperature",
                   "at three detector distances"],
         abstract="SANS measurements of {sample} at {instrument}. {Variant} Reduced I(q) "
                  "curves and raw detector counts are provided.",
         recipe="sans"),
    dict(code="ill-in5", facility="ill", name="IN5 Disk Chopper Time-of-Flight "
         "Spectrometer", techniques=["PaNET01245", "PaNET01035"],
         keywords=["inelastic neutron scattering", "quasielastic", "phonons", "magnons",
                   "diffusion"],
         samples=["vanadium standard", "water confined in MCM-41", "frustrated magnet "
                  "Yb2Ti2O7", "ionic liquid", "hydrogen in palladium"],
         title="Time-of-flight neutron spectroscopy of {sample} {variant}",
         variants=["at base temperature", "across a phase transition", "with two incident "
                   "energies", "in applied field"],
         abstract="Time-of-flight inelastic and quasielastic neutron scattering of {sample} "
                  "at {instrument}. {Variant} Histogrammed S(Q, ω) and raw event data are "
                  "included.",
         recipe="tof"),
    dict(code="isis-sans2d", facility="isis", name="SANS2D", techniques=["PaNET01277"],
         keywords=["time-of-flight SANS", "gas sorption", "porous media", "nanostructure"],
         samples=["CO2 in coal", "activated carbon", "mesoporous silica", "shale"],
         title="Time-of-flight SANS of {sample} {variant}",
         variants=["under gas pressure", "during sorption", "after drying"],
         abstract="Time-of-flight small-angle neutron scattering of {sample} at {instrument}. "
                  "{Variant}",
         recipe="tofsans"),
    dict(code="isis-polaris", facility="isis", name="POLARIS", techniques=["PaNET01100"],
         keywords=["neutron powder diffraction", "Rietveld", "crystal structure",
                   "ionic conductors"],
         samples=["LaMnO3", "Li7La3Zr2O12 garnet", "ice VII", "perovskite CsPbBr3"],
         title="Neutron powder diffraction of {sample} {variant}",
         variants=["at high pressure", "from 10 K to 300 K", "in a vanadium can"],
         abstract="Neutron powder diffraction of {sample} on {instrument}. {Variant} Focused "
                  "diffraction patterns for Rietveld refinement are provided.",
         recipe="npd"),
    dict(code="isis-offspec", facility="isis", name="OFFSPEC", techniques=["PaNET01239"],
         keywords=["neutron reflectometry", "thin films", "interfaces", "polymer brushes"],
         samples=["polymer brush on silicon", "lipid bilayer at the solid-liquid interface",
                  "magnetic multilayer"],
         title="Neutron reflectometry of {sample} {variant}",
         variants=["in D2O and H2O", "versus temperature", "with polarisation analysis"],
         abstract="Specular and off-specular neutron reflectivity of {sample} on {instrument}. "
                  "{Variant}",
         recipe="refl"),
]  # fmt: skip

# Which demo datasets carry the real sample files (instrument code, file names, type).
REAL_FILES = [
    ("petra3-p11", ["Therm_6_2.nxs"], "raw"),
    ("esrf-id02", ["AgBehenate_228.hdf5"], "raw"),
    ("ill-in5", ["lrcs3701.nx5"], "raw"),
    ("ill-in5", ["chopper.nxs"], "derived"),
    ("ill-d22", ["sans2009n012333.hdf"], "raw"),
    ("isis-polaris", ["writer_1_3.h5", "writer_1_3__niac2014.h5"], "raw"),
    ("petra3-p10", ["example.nxs"], "derived"),
]

BIG_DATASET_FILES = 5_000  # projections of the tomography dataset with many files
