"""What the demo catalogue holds: facilities, instruments, people, and per-instrument recipes.

Facilities, instruments and organisations are real (with their real ROR ids); people,
proposals and datasets are fictional. People's ORCID iDs lie in 0000-0000-xxxx-xxxx, a block
ORCID never issues, so no real person is named; Josiah Carberry is ORCID's own test person.
"""

PANET = "http://purl.org/pan-science/PaNET/"

# DOIs of outside things the demo cites (the fictional journal "J. PaN Res. Data", instruments'
# PIDINST records in tests): a fictitious prefix of their own, not the portal's
# PORTAL_DATACITE_PREFIX (the portal did not mint them) and not DataCite's retired test prefix
# 10.5072. Like the demo's own 10.99999, no registrant holds it; these DOIs resolve nowhere.
FICTITIOUS_DOI_PREFIX = "10.99998"

FACILITIES = [
    dict(code="petra3", name="PETRA III at DESY", short_name="PETRA III",
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

# Per instrument: techniques (PaNET ids), keyword pool, the two proposals' titles, samples and
# what was done with each (its own variants, so a title never pairs a sample with a condition
# it cannot have), title/abstract templates and a scientific metadata recipe. Proposal ``p``
# measures every other sample (``samples[p::2]``), and the order below makes each proposal's
# samples one topic. Units deliberately vary between datasets (K/degC, eV/keV/meV, mm/m,
# bar/kPa/GPa) so that unit-aware search has work to do.
INSTRUMENTS = [
    dict(code="petra3-p11", facility="petra3", name="P11 Bio-Imaging and Diffraction",
         techniques=["PaNET01164"],
         keywords=["protein crystallography", "structural biology", "cryo-cooling",
                   "serial crystallography", "enzyme", "ligand binding"],
         proposals=["Radiation damage and room-temperature crystallography of model proteins",
                    "Fragment screening and ligand complexes of therapeutic protein targets"],
         samples={
             "thermolysin": ["at 100 K", "soaked with a fragment library",
                             "in complex with phosphoramidon", "at room temperature"],
             "SARS-CoV-2 main protease": ["in complex with an inhibitor",
                                          "soaked with a fragment library",
                                          "in the apo form at 100 K", "at room temperature"],
             "proteinase K": ["at 100 K", "in an X-ray dose series",
                              "by room-temperature serial crystallography",
                              "with native SAD phasing"],
             "human insulin": ["in the hexameric zinc form", "in complex with phenol",
                               "at 100 K", "at room temperature"],
             "hen egg-white lysozyme": ["by room-temperature serial crystallography",
                                        "in an X-ray dose series", "with native SAD phasing",
                                        "at 100 K"],
         },
         title="Macromolecular crystallography data of {sample} {variant}",
         abstract="Rotation diffraction data of {sample} crystals collected at {instrument}. "
                  "{Variant} The data were integrated to {resolution} Å resolution and are "
                  "provided as raw detector images with the NeXus/NXmx master file.",
         recipe="mx"),
    dict(code="petra3-p10", facility="petra3", name="P10 Coherence Applications",
         techniques=["PaNET01205", "PaNET01188"],
         keywords=["XPCS", "dynamics", "colloids", "glass transition", "coherence"],
         proposals=["Slow dynamics of colloidal suspensions and gels",
                    "Ageing dynamics of metallic and polymer glasses"],
         samples={
             "silica colloids in glycerol": ["at varying concentration", "under shear",
                                             "across the glass transition", "during ageing"],
             "metallic glass ribbon": ["during ageing", "below the glass transition",
                                       "after a temperature quench", "under stress"],
             "gold nanoparticle suspension": ["at varying concentration", "under shear",
                                              "during sedimentation", "versus temperature"],
             "polymer melt": ["during ageing", "after a temperature quench",
                              "across the glass transition", "under shear"],
             "hydrogel network": ["during gelation", "during ageing", "under shear",
                                  "versus temperature"],
         },
         title="X-ray photon correlation spectroscopy of {sample} {variant}",
         abstract="Speckle series recorded with coherent X-rays at {instrument} to follow the "
                  "dynamics of {sample}. {Variant} Correlation functions were computed with "
                  "multi-tau averaging.",
         recipe="xpcs"),
    dict(code="petra3-p21-2", facility="petra3", name="P21.2 Swedish Materials Science",
         techniques=["PaNET01216", "PaNET01181", "PaNET01190"],
         keywords=["high-energy X-rays", "pair distribution function", "in situ",
                   "battery materials", "porous materials"],
         proposals=["Local structure of battery electrodes during cycling",
                    "Local structure of porous and nanocrystalline oxides"],
         samples={
             "LiNiO2 cathode": ["during electrochemical cycling", "after the first charge",
                                "after 100 cycles", "at variable temperature"],
             "MOF-5 crystals": ["during gas adsorption", "at variable temperature",
                                "in a diamond anvil cell", "after ball milling"],
             "amorphous silicon anode": ["during lithiation", "during electrochemical cycling",
                                         "after 100 cycles", "after ball milling"],
             "nanocrystalline ceria": ["under reducing gas", "at variable temperature",
                                       "during calcination", "after ball milling"],
         },
         title="High-energy total scattering of {sample} {variant}",
         abstract="Total scattering data of {sample} measured with high-energy X-rays at "
                  "{instrument}. {Variant} Reduced pair distribution functions are included "
                  "alongside the raw 2D images.",
         recipe="pdf"),
    dict(code="esrf-id02", facility="esrf", name="ID02 Time-Resolved Ultra Small-Angle "
         "X-Ray Scattering", techniques=["PaNET01188"],
         keywords=["SAXS", "WAXS", "self-assembly", "soft matter", "calibration", "micelles"],
         proposals=["Self-assembly of lipid nanoparticles and surfactant mesophases",
                    "Block copolymer micelles and cellulose nanofibrils under flow"],
         samples={
             "silver behenate": ["for detector calibration", "at three detector distances",
                                 "for q-range calibration", "for beam-centre calibration"],
             "block copolymer micelles": ["at rest and under flow", "in a temperature ramp",
                                          "as a function of pH", "during self-assembly"],
             "lipid nanoparticles": ["as a function of pH", "in a temperature ramp",
                                     "during mRNA loading", "after freeze-thaw cycles"],
             "cellulose nanofibrils": ["at rest and under flow", "during drying",
                                       "as a function of ionic strength",
                                       "in a temperature ramp"],
             "surfactant mesophases": ["in a temperature ramp", "under shear",
                                       "as a function of concentration",
                                       "after a pressure jump"],
         },
         title="SAXS of {sample} {variant}",
         abstract="Small-angle X-ray scattering of {sample} recorded at {instrument}. "
                  "{Variant} Azimuthally averaged profiles accompany the detector frames.",
         recipe="saxs"),
    dict(code="esrf-id11", facility="esrf", name="ID11 Materials Science",
         techniques=["PaNET01216", "PaNET01151"],
         keywords=["3DXRD", "grain mapping", "tomography", "polycrystals", "metallurgy"],
         proposals=["Deformation of titanium, additively manufactured and cellular metals",
                    "Grain-scale creep and recrystallisation of nickel and copper"],
         samples={
             "titanium alloy Ti-6Al-4V": ["under tensile load", "after heat treatment",
                                          "during creep", "as received"],
             "nickel superalloy": ["during creep", "under tensile load",
                                   "after heat treatment", "as received"],
             "additively manufactured steel": ["as built", "after heat treatment",
                                               "under tensile load", "during fatigue loading"],
             "copper polycrystal": ["during recrystallisation", "after cold rolling",
                                    "under tensile load", "as received"],
             "aluminium foam": ["under compression", "during in situ heating", "as received",
                                "after impact loading"],
         },
         title="3D grain mapping and tomography of {sample} {variant}",
         abstract="Combined absorption tomography and far-field 3DXRD of {sample} at "
                  "{instrument}. {Variant} Projections and diffraction frames are provided.",
         recipe="tomo"),
    dict(code="esrf-bm23", facility="esrf", name="BM23 X-ray Absorption Spectroscopy",
         techniques=["PaNET01196"],
         keywords=["XAS", "EXAFS", "XANES", "catalysis", "oxidation state"],
         proposals=["Active sites of metal-exchanged zeolites under reaction conditions",
                    "Oxidation states of supported platinum and cobalt oxide catalysts"],
         samples={
             "Fe-zeolite catalyst": ["during N2O decomposition", "during reduction in H2",
                                     "under reaction conditions", "as an ex situ reference"],
             "Pt nanoparticles on alumina": ["during CO oxidation", "during reduction in H2",
                                             "under reaction conditions",
                                             "as an ex situ reference"],
             "Cu-exchanged chabazite": ["during NH3-SCR", "during reduction in H2",
                                        "under reaction conditions", "as an ex situ reference"],
             "cobalt oxide spinel": ["during reduction in H2", "under reaction conditions",
                                     "at high pressure", "as an ex situ reference"],
         },
         title="X-ray absorption spectra of {sample} {variant}",
         abstract="XANES and EXAFS spectra of {sample} measured at {instrument}. {Variant} "
                  "Normalised spectra and fits are provided with the raw scans.",
         recipe="xas"),
    dict(code="ill-d22", facility="ill", name="D22 Large Dynamic Range SANS",
         techniques=["PaNET01189"],
         keywords=["SANS", "contrast variation", "deuteration", "biological membranes",
                   "polymers"],
         proposals=["Membrane proteins and lipid vesicles by contrast variation",
                    "Soft colloids: polymer-grafted nanoparticles and microemulsions"],
         samples={
             "deuterated lipid vesicles": ["with contrast variation", "versus temperature",
                                           "with added cholesterol",
                                           "at three detector distances"],
             "polymer-grafted nanoparticles": ["in a polymer melt", "with contrast variation",
                                               "versus grafting density", "versus temperature"],
             "protein-detergent complexes": ["with contrast variation",
                                             "versus detergent concentration",
                                             "at three detector distances",
                                             "versus temperature"],
             "microemulsions": ["versus salinity", "with contrast variation",
                                "versus temperature", "at three detector distances"],
         },
         title="Small-angle neutron scattering of {sample} {variant}",
         abstract="SANS measurements of {sample} at {instrument}. {Variant} Reduced I(q) "
                  "curves and raw detector counts are provided.",
         recipe="sans"),
    dict(code="ill-in5", facility="ill", name="IN5 Disk Chopper Time-of-Flight "
         "Spectrometer", techniques=["PaNET01245", "PaNET01035"],
         keywords=["inelastic neutron scattering", "quasielastic", "magnons", "diffusion",
                   "confinement"],
         proposals=["Diffusion of water and ionic liquids in confinement",
                    "Spin dynamics of frustrated pyrochlore magnets"],
         samples={
             "water confined in MCM-41": ["across the freezing transition", "versus pore size",
                                          "with two incident energies", "from 200 K to 300 K"],
             "frustrated magnet Yb2Ti2O7": ["at base temperature", "in applied field",
                                            "across the ordering transition",
                                            "with two incident energies"],
             "ionic liquid": ["across the melting transition", "with deuterated cations",
                              "with two incident energies", "versus temperature"],
             "spin ice Ho2Ti2O7": ["at base temperature", "in applied field",
                                   "with two incident energies", "versus temperature"],
         },
         title="Time-of-flight neutron spectroscopy of {sample} {variant}",
         abstract="Time-of-flight inelastic and quasielastic neutron scattering of {sample} "
                  "at {instrument}. {Variant} Histogrammed S(Q, ω) and raw event data are "
                  "included.",
         recipe="tof"),
    dict(code="isis-sans2d", facility="isis", name="SANS2D", techniques=["PaNET01277"],
         keywords=["time-of-flight SANS", "gas sorption", "porous media", "nanostructure"],
         proposals=["Carbon dioxide sorption in coal and mesoporous silica",
                    "Pore structure of activated carbon and shale"],
         samples={
             "CO2 in coal": ["under gas pressure", "during sorption", "during desorption",
                             "versus temperature"],
             "activated carbon": ["under gas pressure", "with contrast matching",
                                  "during sorption", "after drying"],
             "mesoporous silica": ["during sorption", "with contrast matching",
                                   "under gas pressure", "after drying"],
             "shale": ["with contrast matching", "under gas pressure", "after drying",
                       "during sorption"],
         },
         title="Time-of-flight SANS of {sample} {variant}",
         abstract="Time-of-flight small-angle neutron scattering of {sample} at {instrument}. "
                  "{Variant}",
         recipe="tofsans"),
    dict(code="isis-polaris", facility="isis", name="POLARIS", techniques=["PaNET01100"],
         keywords=["neutron powder diffraction", "Rietveld", "crystal structure",
                   "ionic conductors"],
         proposals=["Structural phase transitions in perovskites",
                    "Crystal structures of lithium-ion solid electrolytes"],
         samples={
             "LaMnO3": ["across the Jahn-Teller transition", "from 10 K to 300 K",
                        "at high pressure", "in a vanadium can"],
             "Li7La3Zr2O12 garnet": ["from 300 K to 900 K", "with aluminium doping",
                                     "after lithium exchange", "in a vanadium can"],
             "perovskite CsPbBr3": ["across the cubic-tetragonal transition",
                                    "from 10 K to 300 K", "at high pressure",
                                    "in a vanadium can"],
             "Li3PS4 solid electrolyte": ["from 300 K to 600 K", "with chlorine doping",
                                          "after ball milling", "in a vanadium can"],
         },
         title="Neutron powder diffraction of {sample} {variant}",
         abstract="Neutron powder diffraction of {sample} on {instrument}. {Variant} Focused "
                  "diffraction patterns for Rietveld refinement are provided.",
         recipe="npd"),
    dict(code="isis-offspec", facility="isis", name="OFFSPEC", techniques=["PaNET01239"],
         keywords=["neutron reflectometry", "thin films", "interfaces", "polymer brushes"],
         proposals=["Polymer layers at solid-liquid interfaces",
                    "Protein-membrane interactions at model lipid bilayers"],
         samples={
             "polymer brush on silicon": ["in D2O and H2O", "versus solvent quality",
                                          "versus temperature", "under compression"],
             "lipid bilayer at the solid-liquid interface": ["in three contrasts",
                                                             "with cholesterol",
                                                             "versus temperature",
                                                             "in D2O and H2O"],
             "polyelectrolyte multilayer": ["during build-up", "versus salt concentration",
                                            "versus humidity", "in D2O and H2O"],
             "protein adsorbed on a lipid bilayer": ["in three contrasts", "after rinsing",
                                                     "versus protein concentration",
                                                     "in D2O and H2O"],
         },
         title="Neutron reflectometry of {sample} {variant}",
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
# The sample a real file shows, where its name says it: the dataset holding it measures that.
REAL_FILE_SAMPLES = {"Therm_6_2.nxs": "thermolysin", "AgBehenate_228.hdf5": "silver behenate"}

BIG_DATASET_FILES = 5_000  # projections of the tomography dataset with many files
